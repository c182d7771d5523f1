#pragma once
// POST /introspect (RFC 7662): the steps every request about one token takes
// (server/endpoints/client_token_request.h; confidential clients only) →
// grants::Introspection → 200 with the §2.2 document and Cache-Control: no-store. Which
// caller learns about which token is grants::Introspection's rule (a client allowed to
// introspect, or the one the token is for; docs/endpoints.md). One database query per
// live-looking token.
#include "grants/introspection.h"
#include "http/router.h"
#include "server/endpoints/client_token_request.h"

namespace keyward::server {

inline constexpr std::string_view kIntrospectionPath = "/introspect";

using IntrospectionEndpoint = ClientTokenEndpoint<grants::Introspection>;

void add_introspection_route(http::Router& router, IntrospectionEndpoint endpoint);
[[nodiscard]] http::HttpResponse handle_introspection_request(
    const http::HttpRequest& request, const IntrospectionEndpoint& endpoint);

}  // namespace keyward::server
