#include "server/admin/problem.h"

namespace keyward::server::admin {

namespace {

// What the log may say about a storage failure: its kind, the constraint, and the first
// line of PostgreSQL's message (the DETAIL lines that follow may quote values).
std::string storage_log_text(const operations::OperationError& error) {
  if (!error.storage) return error.message;
  const auto& failure = *error.storage;
  std::string text = std::string(storage::to_string(failure.code)) + ": " +
                     failure.message.substr(0, failure.message.find('\n'));
  if (!failure.constraint.empty()) text += " (constraint " + failure.constraint + ")";
  return text;
}

}  // namespace

http::HttpResponse problem(int status, std::string_view slug, std::string_view detail,
                           const std::vector<FieldProblem>& errors) {
  nlohmann::ordered_json doc;
  doc["type"] = "urn:keyward:problem:" + std::string(slug);
  doc["title"] = std::string(http::reason_phrase(status));
  doc["status"] = status;
  doc["detail"] = std::string(detail);
  if (!errors.empty()) {
    auto list = nlohmann::ordered_json::array();
    for (const auto& e : errors) list.push_back({{"field", e.field}, {"detail", e.detail}});
    doc["errors"] = std::move(list);
  }
  http::HttpResponse response;
  response.status = status;
  response.body = http::dump_json(doc);
  response.headers.set("Content-Type", "application/problem+json");
  response.headers.set("Cache-Control", "no-store");
  return response;
}

http::HttpResponse problem_for(const operations::OperationError& error) {
  using operations::OperationErrorKind;
  switch (error.kind) {
    case OperationErrorKind::Invalid: {
      std::vector<FieldProblem> fields;
      if (!error.field.empty()) fields.push_back({error.field, error.message});
      return problem(400, "invalid-request", error.message, fields);
    }
    case OperationErrorKind::NotFound:
      return problem(404, "not-found", error.message);
    case OperationErrorKind::Conflict:
      return problem(409, "conflict", error.message);
    case OperationErrorKind::Unavailable: {
      auto r = problem(503, "unavailable", "the database cannot be reached; try again");
      r.headers.set("Retry-After", "1");
      r.log_error = storage_log_text(error);
      return r;
    }
    case OperationErrorKind::Failed:
      break;
  }
  auto r = problem(500, "server-error", "the operation failed; the server log has the details");
  r.log_error = storage_log_text(error);
  return r;
}

}  // namespace keyward::server::admin
