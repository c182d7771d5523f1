#pragma once
// Routes that exist only when KEYWARD_TEST_ROUTES is true, so black-box tests can prove
// behaviour no real endpoint shows on demand (the catch-all, the drain, decoding).
#include "server/http/router.h"
#include "server/log.h"

namespace keyward::server {

// GET /__test/throw   throws std::runtime_error("secret internal detail")
// GET /__test/sleep   ?ms=N (0-5000) logs {"msg":"test sleep started","request_id":…}
//                     and sleeps on the worker pool, then 200 {"slept_ms":N}
// GET /__test/echo    200 with the decoded query (pairs in order), the repeated names,
//                     the cookie names (never values) and the client IP
void add_test_routes(Router& router, Logger& logger);

}  // namespace keyward::server
