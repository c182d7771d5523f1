#include "storage/migrator.h"

#include <pqxx/pqxx>

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>

#include "common/crypto.h"
#include "storage/conninfo.h"

namespace keyward::storage {
namespace {

// Any fixed 64-bit number would do; this one spells "keywardM". Advisory locks are per
// database, so migrating one database never waits for another.
constexpr long long kMigrationLockKey = 0x6b6579776172644dLL;

struct MigrationFile {
  int version = 0;
  std::string name;
  std::string sql;
  std::string checksum;  // hex SHA-256 of the file's bytes
};

struct AppliedRow {
  std::string name;
  std::string checksum;
};

MigrationError failure(MigrationErrorCode code, std::string file, std::string message) {
  return MigrationError{code, std::move(file), std::move(message)};
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::string version_text(int version) {
  std::string text = std::to_string(version);
  return std::string(text.size() < 4 ? 4 - text.size() : 0, '0') + text;
}

Result<std::vector<MigrationFile>, MigrationError> scan(const std::filesystem::path& dir) {
  static const std::regex kName("^([0-9]{4})_[a-z0-9_]+\\.sql$");
  std::error_code error;
  std::filesystem::directory_iterator it(dir, error);
  if (error) {
    return err(
        failure(MigrationErrorCode::Unreadable, {},
                "cannot read the migrations folder " + dir.string() + ": " + error.message()));
  }
  std::vector<MigrationFile> files;
  for (const auto& entry : it) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with('.')) continue;  // editors' swap files, .keep
    std::smatch match;
    if (!std::regex_match(name, match, kName)) {
      return err(failure(MigrationErrorCode::BadFileName, name,
                         "migration file " + name +
                             " is not named NNNN_description.sql (four digits, an underscore, "
                             "lower-case letters, digits or underscores, then .sql)"));
    }
    if (!entry.is_regular_file()) {
      return err(failure(MigrationErrorCode::BadFileName, name,
                         "migration " + name + " is not a regular file"));
    }
    const int version = std::stoi(match[1].str());
    if (version == 0) {
      return err(failure(MigrationErrorCode::BadFileName, name,
                         "migration " + name + ": numbers start at 0001"));
    }
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream contents;
    contents << in.rdbuf();
    if (!in.good() && !in.eof()) {
      return err(failure(MigrationErrorCode::Unreadable, name, "cannot read migration " + name));
    }
    std::string sql = contents.str();
    std::string checksum = to_hex(sha256(sql));
    files.push_back(MigrationFile{version, name, std::move(sql), std::move(checksum)});
  }
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return a.version < b.version; });
  for (std::size_t i = 1; i < files.size(); ++i) {
    if (files[i].version == files[i - 1].version) {
      return err(failure(MigrationErrorCode::DuplicateVersion, files[i].name,
                         "migrations " + files[i - 1].name + " and " + files[i].name +
                             " share the number " + version_text(files[i].version)));
    }
  }
  return files;
}

std::map<int, AppliedRow> read_applied(pqxx::connection& connection) {
  pqxx::nontransaction tx(connection);
  // Created under the lock: two sessions racing on CREATE TABLE IF NOT EXISTS can
  // otherwise collide on the catalog's unique indexes.
  tx.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version integer PRIMARY KEY CHECK (version > 0),"
      " name text NOT NULL,"
      " checksum text NOT NULL,"
      " applied_at timestamptz NOT NULL DEFAULT now())");
  std::map<int, AppliedRow> applied;
  for (const auto& row : tx.exec("SELECT version, name, checksum FROM schema_migrations")) {
    applied[row[0].as<int>()] = AppliedRow{row[1].as<std::string>(), row[2].as<std::string>()};
  }
  return applied;
}

Result<MigrationReport, MigrationError> plan_and_apply(pqxx::connection& connection,
                                                       const std::vector<MigrationFile>& files) {
  const std::map<int, AppliedRow> applied = read_applied(connection);
  MigrationReport report;

  std::map<int, const MigrationFile*> by_version;
  for (const auto& file : files) by_version[file.version] = &file;
  for (const auto& [version, row] : applied) {
    const auto found = by_version.find(version);
    if (found == by_version.end()) {
      report.unknown.push_back(row.name);
      continue;
    }
    const MigrationFile& file = *found->second;
    if (file.name != row.name) {
      return err(failure(MigrationErrorCode::Modified, file.name,
                         "migration " + version_text(version) + " was applied as " + row.name +
                             " but the folder now has " + file.name +
                             "; applied migrations are never renamed or edited"));
    }
    if (file.checksum != row.checksum) {
      return err(failure(MigrationErrorCode::Modified, file.name,
                         "migration " + file.name + " changed after it was applied (checksum " +
                             row.checksum + " recorded, " + file.checksum +
                             " now); applied migrations are never edited: add a new one"));
    }
  }

  const int last_applied = applied.empty() ? 0 : applied.rbegin()->first;
  std::vector<const MigrationFile*> pending;
  for (const auto& file : files) {
    if (applied.contains(file.version)) {
      report.skipped.push_back(file.name);
    } else if (file.version < last_applied) {
      return err(failure(MigrationErrorCode::OutOfOrder, file.name,
                         "migration " + file.name + " is new but " + applied.rbegin()->second.name +
                             " is already applied; number new migrations after the last one"));
    } else {
      pending.push_back(&file);
    }
  }

  for (const MigrationFile* file : pending) {
    try {
      pqxx::work tx(connection);
      tx.exec(file->sql);
      tx.exec_params("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                     file->version, file->name, file->checksum);
      tx.commit();
    } catch (const pqxx::broken_connection& e) {
      return err(failure(MigrationErrorCode::ConnectionFailed, file->name,
                         "lost the connection to PostgreSQL while applying migration " +
                             file->name + ": " + trimmed(e.what())));
    } catch (const pqxx::in_doubt_error& e) {
      return err(
          failure(MigrationErrorCode::ConnectionFailed, file->name,
                  "lost the connection to PostgreSQL while committing migration " + file->name +
                      " (run migrate again to see whether it applied): " + trimmed(e.what())));
    } catch (const std::exception& e) {
      // The transaction is rolled back: the schema is as it was before this file.
      return err(
          failure(MigrationErrorCode::MigrationFailed, file->name,
                  "migration " + file->name + " failed and was rolled back: " + trimmed(e.what())));
    }
    report.applied.push_back(file->name);
  }
  return report;
}

}  // namespace

Result<MigrationReport, MigrationError> migrate(const std::string& conninfo,
                                                const std::filesystem::path& dir) {
  auto files = scan(dir);
  if (!files) return err(std::move(files).error());

  auto parsed = ConnInfo::parse(conninfo);
  if (!parsed) return err(failure(MigrationErrorCode::ConnectionFailed, {}, parsed.error()));
  ConnInfo info = std::move(parsed).value();
  info.set_default("connect_timeout", "10");
  info.set_default("application_name", "keyward-migrate");

  try {
    pqxx::connection connection(info.to_string());
    {
      // Session-level, so it spans the per-file transactions; released explicitly below,
      // or by the server when this connection ends for any reason.
      pqxx::nontransaction tx(connection);
      tx.exec("SELECT pg_advisory_lock(" + std::to_string(kMigrationLockKey) + ")");
    }
    auto report = plan_and_apply(connection, files.value());
    if (connection.is_open()) {
      pqxx::nontransaction tx(connection);
      tx.exec("SELECT pg_advisory_unlock(" + std::to_string(kMigrationLockKey) + ")");
    }
    return report;
  } catch (const pqxx::broken_connection& e) {
    return err(failure(MigrationErrorCode::ConnectionFailed, {},
                       "cannot reach PostgreSQL at " + info.redacted() + ": " + trimmed(e.what())));
  } catch (const std::exception& e) {
    // Before any file ran: e.g. no right to create schema_migrations.
    return err(failure(MigrationErrorCode::MigrationFailed, {},
                       "migrating " + info.redacted() + " failed: " + trimmed(e.what())));
  }
}

}  // namespace keyward::storage
