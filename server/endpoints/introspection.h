#pragma once
// POST /introspect (RFC 7662): form body → no repeated parameter → client authentication
// (confidential clients only: §2.1 requires the caller to authenticate, and a public
// client has nothing to authenticate with; invalid_client 401 otherwise) → `token`
// required → grants::Introspection → 200 with the §2.2 document and Cache-Control:
// no-store. Which caller learns about which token is grants::Introspection's rule (a
// client allowed to introspect, or the one the token is for; docs/endpoints.md). Runs on
// the worker pool (one database query per live-looking token).
#include "common/log.h"
#include "grants/client_auth.h"
#include "grants/introspection.h"
#include "http/router.h"

namespace keyward::server {

inline constexpr std::string_view kIntrospectionPath = "/introspect";

struct IntrospectionEndpoint {
  grants::ClientAuthenticator& clients;
  grants::Introspection& introspection;
  Logger& logger;
};

void add_introspection_route(http::Router& router, IntrospectionEndpoint endpoint);
[[nodiscard]] http::HttpResponse handle_introspection_request(
    const http::HttpRequest& request, const IntrospectionEndpoint& endpoint);

}  // namespace keyward::server
