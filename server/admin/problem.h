#pragma once
// RFC 9457 problem details, the admin API's only error shape: application/problem+json
// with type, title, status and detail, plus `errors` (one {field, detail} per bad input
// field) where that helps. `type` is a URN naming the kind of problem
// (urn:keyward:problem:<slug>, listed in docs/admin-api.md); title is the status's reason
// phrase. Never a secret, never an exception's text.
#include <string>
#include <string_view>
#include <vector>

#include "http/response.h"
#include "operations/operation_error.h"

namespace keyward::server::admin {

struct FieldProblem {
  std::string field;
  std::string detail;
};

[[nodiscard]] http::HttpResponse problem(int status, std::string_view slug, std::string_view detail,
                                         const std::vector<FieldProblem>& errors = {});

// An operation's failure: Invalid 400 (with the field, when known), NotFound 404,
// Conflict 409, Unavailable 503 (Retry-After), Failed 500 (the storage detail is logged by
// the caller, never sent).
[[nodiscard]] http::HttpResponse problem_for(const operations::OperationError& error);

}  // namespace keyward::server::admin
