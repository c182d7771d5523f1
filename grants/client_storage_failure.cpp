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
    case storage::StorageErrorCode::InvalidInput:
      // The edge refuses NUL and invalid UTF-8 before any query; should a value still
      // reach PostgreSQL and be refused, it is the request that was wrong, not the server.
      return OAuthError::invalid_request("a parameter has a value that cannot be accepted",
                                         std::move(log));
    default:
      return OAuthError::server_error(std::move(log));
  }
}

}  // namespace keyward::grants
