#pragma once
// `keyward migrate`: applies migrations/NNNN_description.sql in numeric order, each once,
// each in its own transaction, while holding a PostgreSQL advisory lock, so several
// instances migrating at the same moment all succeed and each file is applied once.
// Applied files are recorded in schema_migrations (version, name, checksum, applied_at);
// an applied migration is never edited: a changed checksum is refused, naming the file.
// A file must not contain BEGIN, COMMIT or ROLLBACK: the runner wraps each file in its
// transaction, and a COMMIT inside would end it early and break the all-or-nothing rule.
#include <filesystem>
#include <string>
#include <vector>

#include "common/result.h"

namespace keyward::storage {

struct MigrationReport {
  std::vector<std::string> applied;  // file names applied by this run, in order
  std::vector<std::string> skipped;  // file names applied earlier
  // Recorded in schema_migrations but absent from the folder (a newer build migrated this
  // database). Not an error, so an older instance can still restart; callers should warn.
  std::vector<std::string> unknown;
};

enum class MigrationErrorCode {
  BadFileName,       // a file not named NNNN_description.sql ([0-9]{4}_[a-z0-9_]+\.sql)
  DuplicateVersion,  // two files with one number
  Unreadable,        // the folder or a file cannot be read
  ConnectionFailed,  // PostgreSQL could not be reached
  Modified,          // an applied file changed (checksum or name)
  OutOfOrder,        // a new file numbered below one already applied
  MigrationFailed,   // PostgreSQL refused a file; it was rolled back
};

struct MigrationError {
  MigrationErrorCode code;
  std::string file;     // the file concerned, when there is one
  std::string message;  // a full sentence; quotes PostgreSQL's message when it has one
};

[[nodiscard]] Result<MigrationReport, MigrationError> migrate(const std::string& conninfo,
                                                              const std::filesystem::path& dir);

}  // namespace keyward::storage
