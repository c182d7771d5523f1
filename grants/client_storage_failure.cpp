#include "grants/client_storage_failure.h"

#include <string>

namespace keyward::grants {

OAuthError storage_failure(const storage::StorageError& error, std::string_view what) {
  std::string log =
      std::string(what) + ": " + std::string(storage::to_string(error.code)) + ": " + error.message;
  switch (error.code) {
    case storage::StorageErrorCode::Unavailable:
    case storage::StorageErrorCode::Timeout:
    case storage::StorageErrorCode::Conflict: {
      auto e = OAuthError::temporarily_unavailable("the service is busy, try again shortly",
                                                   std::chrono::seconds(1));
      e.log_detail = std::move(log);
      return e;
    }
    default:
      return OAuthError::server_error(std::move(log));
  }
}

}  // namespace keyward::grants
