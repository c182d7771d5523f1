#pragma once
// Routes that exist only in keyward-test-server (never in the shipped keyward), so
// black-box tests can prove behaviour no real endpoint shows on demand (the catch-all, the
// drain, decoding). This file's extra_routes() adds them all.
#include <chrono>
#include <memory>
#include <string>

#include "common/log.h"
#include "grants/signing_keys.h"
#include "http/router.h"

namespace keyward::server {

// GET /__test/throw   throws std::runtime_error("secret internal detail")
// GET /__test/sleep   ?ms=N (0-5000) logs {"msg":"test sleep started","request_id":…}
//                     and sleeps on the worker pool, then 200 {"slept_ms":N}
// GET /__test/echo    200 with the decoded query (pairs in order), the repeated names,
//                     the cookie names (never values) and the client IP
void add_test_routes(http::Router& router, Logger& logger);

// GET /__test/sign    ?sub=S&aud=A&scope=X&ttl=N (ttl 1-86400, default access_ttl): an
//                     RFC 9068 access token (typ at+jwt: iss, sub, aud, client_id, scope, jti,
//                     iat, exp) signed with the active key, answered in the token endpoint's
//                     shape {"access_token","token_type":"Bearer","expires_in"} plus "kid".
//                     For the third-party verifier tests until a real grant issues tokens.
void add_test_signing_route(http::Router& router, std::shared_ptr<const grants::SigningKeys> keys,
                            std::string issuer, std::chrono::seconds access_ttl);

}  // namespace keyward::server
