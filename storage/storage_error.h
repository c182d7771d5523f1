#pragma once
// What a storage call reports when it does not return its value. Expected outcomes
// (a duplicate key, a missing row) come back as codes callers can act on; anything
// else is an infrastructure failure the HTTP layer turns into 500/503.
#include <string>
#include <string_view>

namespace keyward::storage {

enum class StorageErrorCode {
  Unavailable,          // no connection (refused, broken, pool exhausted): retryable, 503
  Timeout,              // statement_timeout or lock wait cancelled the statement
  UniqueViolation,      // a UNIQUE or PRIMARY KEY constraint refused the row
  ForeignKeyViolation,  // the row refers to something that does not exist (any more)
  CheckViolation,       // a CHECK or NOT NULL constraint refused the row
  UnexpectedRows,       // a statement expected to touch exactly N rows did not
  InvalidInput,         // PostgreSQL refused a value (SQLSTATE class 22: bad UTF-8, too long...)
  Conflict,             // serialization failure or deadlock: the transaction may be retried
  Failed,               // anything else (a bug or a broken schema)
};

struct StorageError {
  StorageErrorCode code;
  // For logs only, never for clients: it may quote SQL and values.
  std::string message;
  // The constraint PostgreSQL named, for the constraint violations ("signing_keys_pkey").
  std::string constraint;
};

[[nodiscard]] std::string_view to_string(StorageErrorCode code);

}  // namespace keyward::storage
