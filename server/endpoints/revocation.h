#pragma once
// POST /revoke (RFC 7009): form body → no repeated parameter → client authentication
// (public clients with client_id alone, §2.1) → `token` required → grants::Revocation →
// 200 with an empty body (§2.2) and Cache-Control: no-store, for unknown and invalid
// tokens too. A live token of another client is unauthorized_client (§2.1). Runs on the
// worker pool.
#include "common/log.h"
#include "grants/client_auth.h"
#include "grants/revocation.h"
#include "http/router.h"

namespace keyward::server {

inline constexpr std::string_view kRevocationPath = "/revoke";

struct RevocationEndpoint {
  grants::ClientAuthenticator& clients;
  grants::Revocation& revocation;
  Logger& logger;
};

void add_revocation_route(http::Router& router, RevocationEndpoint endpoint);
[[nodiscard]] http::HttpResponse handle_revocation_request(const http::HttpRequest& request,
                                                           const RevocationEndpoint& endpoint);

}  // namespace keyward::server
