#pragma once
// How an operation fails, independent of who asked: the CLI turns a kind into an exit
// code (cli/), the admin API into a problem-details status (server/admin/).
#include <optional>
#include <string>

#include "storage/storage_error.h"

namespace keyward::operations {

enum class OperationErrorKind {
  Invalid,      // the input breaks a rule: nothing was done (CLI exit 2, HTTP 400)
  NotFound,     // no such record (CLI exit 1, HTTP 404)
  Conflict,     // the record's state forbids it (a taken username, a public client's
                // secret): nothing was done (CLI exit 1 or 2 as before, HTTP 409)
  Unavailable,  // the database could not be reached (CLI exit 1, HTTP 503)
  Failed,       // anything else that went wrong (CLI exit 1, HTTP 500)
};

struct OperationError {
  OperationErrorKind kind = OperationErrorKind::Failed;
  std::string message;  // a sentence for an operator; never a secret
  std::string field;    // the input field at fault, when one is ("username"); may be empty
  // The storage failure behind Unavailable or Failed, for the CLI's established wording.
  std::optional<storage::StorageError> storage;

  [[nodiscard]] static OperationError invalid(std::string message, std::string field = {});
  [[nodiscard]] static OperationError not_found(std::string message);
  [[nodiscard]] static OperationError conflict(std::string message, std::string field = {});
  [[nodiscard]] static OperationError from_storage(const storage::StorageError& e);
};

}  // namespace keyward::operations
