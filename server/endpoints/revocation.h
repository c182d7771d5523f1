#pragma once
// POST /revoke (RFC 7009): the steps every request about one token takes
// (server/endpoints/client_token_request.h; public clients with client_id alone, §2.1) →
// grants::Revocation → 200 with an empty body (§2.2) and Cache-Control: no-store, for
// unknown and invalid tokens too. A live token of another client is unauthorized_client
// (§2.1).
#include "grants/revocation.h"
#include "http/router.h"
#include "server/endpoints/client_token_request.h"

namespace keyward::server {

inline constexpr std::string_view kRevocationPath = "/revoke";

using RevocationEndpoint = ClientTokenEndpoint<grants::Revocation>;

void add_revocation_route(http::Router& router, RevocationEndpoint endpoint);
[[nodiscard]] http::HttpResponse handle_revocation_request(const http::HttpRequest& request,
                                                           const RevocationEndpoint& endpoint);

}  // namespace keyward::server
