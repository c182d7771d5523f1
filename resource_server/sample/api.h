#pragma once
// The sample resource server's routes. Scopes (documented in docs/endpoints.md):
//   api:read   GET /api/me, PUT /api/me/note (the caller's own note), GET /api/board
//   api:write  PUT /api/board (shared data; the demo client is not allowed this scope, so the
//              demo shows the 403 insufficient_scope answer)
// Every route verifies the Bearer token (resource_server/verifier.h) on the worker pool and
// answers per RFC 6750 §3: 401 invalid_token, 403 insufficient_scope, 400 invalid_request.
#include <string>

#include "common/log.h"
#include "http/router.h"
#include "resource_server/sample/note_store.h"
#include "resource_server/sample/rs_metrics.h"
#include "resource_server/verifier.h"

namespace keyward::rs {

inline constexpr std::string_view kReadScope = "api:read";
inline constexpr std::string_view kWriteScope = "api:write";
inline constexpr size_t kMaxNoteLength = 1000;

struct SampleApi {
  TokenVerifier& verifier;
  NoteStore& notes;
  std::string realm;
  Logger& logger;
  RsMetrics* metrics = nullptr;  // counts every verification when set
};

// Adds GET /api/me, PUT /api/me/note, GET /api/board, PUT /api/board. `api` must outlive the
// router.
void add_api_routes(http::Router& router, const SampleApi& api);

}  // namespace keyward::rs
