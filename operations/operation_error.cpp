#include "operations/operation_error.h"

namespace keyward::operations {

OperationError OperationError::invalid(std::string message, std::string field) {
  return {OperationErrorKind::Invalid, std::move(message), std::move(field), std::nullopt};
}

OperationError OperationError::not_found(std::string message) {
  return {OperationErrorKind::NotFound, std::move(message), {}, std::nullopt};
}

OperationError OperationError::conflict(std::string message, std::string field) {
  return {OperationErrorKind::Conflict, std::move(message), std::move(field), std::nullopt};
}

OperationError OperationError::from_storage(const storage::StorageError& e) {
  const bool unavailable = e.code == storage::StorageErrorCode::Unavailable;
  return {unavailable ? OperationErrorKind::Unavailable : OperationErrorKind::Failed,
          unavailable ? "the database cannot be reached" : "database error",
          {},
          e};
}

}  // namespace keyward::operations
