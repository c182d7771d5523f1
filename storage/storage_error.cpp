#include "storage/storage_error.h"

namespace keyward::storage {

std::string_view to_string(StorageErrorCode code) {
  switch (code) {
    case StorageErrorCode::Unavailable:
      return "unavailable";
    case StorageErrorCode::Timeout:
      return "timeout";
    case StorageErrorCode::UniqueViolation:
      return "unique_violation";
    case StorageErrorCode::ForeignKeyViolation:
      return "foreign_key_violation";
    case StorageErrorCode::CheckViolation:
      return "check_violation";
    case StorageErrorCode::UnexpectedRows:
      return "unexpected_rows";
    case StorageErrorCode::InvalidInput:
      return "invalid_input";
    case StorageErrorCode::Conflict:
      return "conflict";
    case StorageErrorCode::Failed:
      return "failed";
  }
  return "failed";
}

}  // namespace keyward::storage
