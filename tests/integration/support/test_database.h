#pragma once
// A throw-away PostgreSQL database per test (STYLE.md §7.5, after cgimap's
// test_database): created on the cluster named by KEYWARD_TEST_DATABASE_URL (a role with
// CREATEDB; scripts/test.sh starts that cluster and sets the variable), migrated by our
// real migrator, and dropped WITH (FORCE) when the object goes away.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/database.h"

namespace keyward::test {

class TestDatabase {
 public:
  enum class Schema { Migrated, Empty };

  // KEYWARD_TEST_DATABASE_URL, or nullopt when unset or empty.
  [[nodiscard]] static std::optional<std::string> cluster_conninfo();
  // The repository's migrations/ folder.
  [[nodiscard]] static std::filesystem::path migrations_dir();

  // Creates keyward_test_<16 hex digits>, migrated unless Schema::Empty. Throws
  // std::runtime_error (with PostgreSQL's or the migrator's message) when it cannot.
  explicit TestDatabase(Schema schema = Schema::Migrated);
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;
  ~TestDatabase();

  [[nodiscard]] const std::string& name() const { return name_; }
  // The cluster's conninfo with dbname set to this database.
  [[nodiscard]] const std::string& conninfo() const { return conninfo_; }

  // Raw SQL for setting up and inspecting from tests (libpq, not our repositories).
  // Throws std::runtime_error with PostgreSQL's message.
  void exec(std::string_view sql) const;
  using Row = std::vector<std::optional<std::string>>;  // NULL is nullopt
  [[nodiscard]] std::vector<Row> query(std::string_view sql) const;
  // The one value of a one-row, one-column query.
  [[nodiscard]] std::optional<std::string> scalar(std::string_view sql) const;

  // Our own storage::Database on this database, for the repositories under test. Throws
  // std::runtime_error when it cannot open.
  [[nodiscard]] storage::Database open() const;
  // Seeds an enabled user `username` (an Argon2id-looking hash nobody can sign in with);
  // returns its id.
  std::string insert_user(std::string_view username) const;

 private:
  std::string name_;
  std::string conninfo_;
};

// A fixture that gives each test its own database, and skips (with a message saying what
// to set) when KEYWARD_TEST_DATABASE_URL is unset.
class DatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override;
  [[nodiscard]] virtual TestDatabase::Schema schema() const {
    return TestDatabase::Schema::Migrated;
  }
  [[nodiscard]] TestDatabase& db() { return *db_; }

 private:
  std::unique_ptr<TestDatabase> db_;
};

// A DatabaseTest with our own storage::Database open on the test's database, for the
// repositories under test.
class StorageTest : public DatabaseTest {
 protected:
  void SetUp() override;
  [[nodiscard]] storage::Database& database() { return *database_; }

 private:
  std::optional<storage::Database> database_;
};

}  // namespace keyward::test
