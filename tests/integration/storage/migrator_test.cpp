// `keyward migrate` against a real PostgreSQL: each file once, in order, in its
// own transaction, under an advisory lock; failures roll back and name their file.
#include "storage/migrator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <latch>
#include <sstream>
#include <thread>

#include "common/crypto.h"
#include "tests/integration/support/test_database.h"

namespace keyward::storage {
namespace {

using test::DatabaseTest;
using test::TestDatabase;
namespace fs = std::filesystem;

// A folder of migrations of the test's own, removed afterwards.
class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / ("keyward_migrations_" + to_hex(random_bytes(8)))) {
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  [[nodiscard]] const fs::path& path() const { return path_; }
  void write(const std::string& name, const std::string& sql) const {
    std::ofstream(path_ / name, std::ios::binary) << sql;
  }
  void copy_real_migrations() const {
    for (const auto& entry : fs::directory_iterator(TestDatabase::migrations_dir())) {
      fs::copy_file(entry.path(), path_ / entry.path().filename());
    }
  }

 private:
  fs::path path_;
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

std::vector<std::string> real_migration_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(TestDatabase::migrations_dir())) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> recorded_names(const TestDatabase& db) {
  std::vector<std::string> names;
  for (const auto& row : db.query("SELECT name FROM schema_migrations ORDER BY version")) {
    names.push_back(row.at(0).value());
  }
  return names;
}

bool table_exists(const TestDatabase& db, const std::string& table) {
  return db.scalar("SELECT to_regclass('public." + table + "') IS NOT NULL") == "t";
}

class MigratorTest : public DatabaseTest {
 protected:
  [[nodiscard]] TestDatabase::Schema schema() const override { return TestDatabase::Schema::Empty; }
};

TEST_F(MigratorTest, FreshDatabaseAppliesEveryFileInOrder) {
  const auto report = migrate(db().conninfo(), TestDatabase::migrations_dir());
  ASSERT_TRUE(report.ok()) << report.error().message;
  const auto names = real_migration_names();
  ASSERT_FALSE(names.empty());
  EXPECT_EQ(report->applied, names);
  EXPECT_TRUE(report->skipped.empty());
  EXPECT_TRUE(report->unknown.empty());
  EXPECT_EQ(recorded_names(db()), names);
  // The checksum recorded is the SHA-256 of the file's bytes.
  for (const auto& name : names) {
    EXPECT_EQ(db().scalar("SELECT checksum FROM schema_migrations WHERE name = '" + name + "'"),
              to_hex(sha256(read_file(TestDatabase::migrations_dir() / name))));
  }
  for (const char* table : {"clients", "users", "grants", "authorization_codes", "refresh_tokens",
                            "revoked_access_tokens", "browser_sessions", "consents", "signing_keys",
                            "login_throttle"}) {
    EXPECT_TRUE(table_exists(db(), table)) << table;
  }
}

TEST_F(MigratorTest, SecondRunIsANoOp) {
  ASSERT_TRUE(migrate(db().conninfo(), TestDatabase::migrations_dir()).ok());
  const auto applied_at =
      db().query("SELECT version, applied_at FROM schema_migrations ORDER BY 1");

  const auto again = migrate(db().conninfo(), TestDatabase::migrations_dir());
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_TRUE(again->applied.empty());
  EXPECT_EQ(again->skipped, real_migration_names());
  EXPECT_EQ(db().query("SELECT version, applied_at FROM schema_migrations ORDER BY 1"), applied_at);
}

// "Two instances migrating at the same moment must both succeed with a single
// application". Several rounds, each on a new empty database, to give the race a chance.
TEST_F(MigratorTest, ConcurrentRunsBothSucceedAndApplyEachFileOnce) {
  const auto names = real_migration_names();
  for (int round = 0; round < 5; ++round) {
    TestDatabase fresh(TestDatabase::Schema::Empty);
    std::latch start(2);
    std::optional<Result<MigrationReport, MigrationError>> first, second;
    auto run = [&](auto& out) {
      start.arrive_and_wait();
      out.emplace(migrate(fresh.conninfo(), TestDatabase::migrations_dir()));
    };
    std::thread a([&] { run(first); });
    std::thread b([&] { run(second); });
    a.join();
    b.join();
    ASSERT_TRUE(first->ok()) << first->error().message;
    ASSERT_TRUE(second->ok()) << second->error().message;
    // Between them, every file applied exactly once; the other run skipped it.
    std::vector<std::string> applied = first->value().applied;
    applied.insert(applied.end(), second->value().applied.begin(), second->value().applied.end());
    std::sort(applied.begin(), applied.end());
    EXPECT_EQ(applied, names) << "round " << round;
    EXPECT_EQ(recorded_names(fresh), names) << "round " << round;
    EXPECT_EQ(fresh.scalar("SELECT count(*) FROM schema_migrations"), std::to_string(names.size()));
  }
}

TEST_F(MigratorTest, FailingMigrationRollsBackAndNamesItsFile) {
  TempDir dir;
  dir.copy_real_migrations();
  dir.write("9999_broken.sql",
            "CREATE TABLE broken_probe (id integer);\n"
            "INSERT INTO broken_probe VALUES (1);\n"
            "SELEC 1;\n");

  const auto report = migrate(db().conninfo(), dir.path());
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code, MigrationErrorCode::MigrationFailed);
  EXPECT_EQ(report.error().file, "9999_broken.sql");
  EXPECT_NE(report.error().message.find("migration 9999_broken.sql failed and was rolled back"),
            std::string::npos)
      << report.error().message;
  // PostgreSQL's own words.
  EXPECT_NE(report.error().message.find("syntax error at or near \"SELEC\""), std::string::npos)
      << report.error().message;

  // The schema is as it was before that file: the real ones applied, nothing of 9999.
  EXPECT_FALSE(table_exists(db(), "broken_probe"));
  EXPECT_EQ(recorded_names(db()), real_migration_names());

  // With the file fixed, the next run applies it and only it.
  dir.write("9999_broken.sql", "CREATE TABLE broken_probe (id integer);\n");
  const auto fixed = migrate(db().conninfo(), dir.path());
  ASSERT_TRUE(fixed.ok()) << fixed.error().message;
  EXPECT_EQ(fixed->applied, std::vector<std::string>{"9999_broken.sql"});
  EXPECT_TRUE(table_exists(db(), "broken_probe"));
}

TEST_F(MigratorTest, EditedAppliedMigrationIsRefused) {
  TempDir dir;
  dir.write("0001_first.sql", "CREATE TABLE first_table (id integer);\n");
  ASSERT_TRUE(migrate(db().conninfo(), dir.path()).ok());

  dir.write("0001_first.sql", "CREATE TABLE first_table (id integer, extra text);\n");
  dir.write("0002_second.sql", "CREATE TABLE second_table (id integer);\n");
  const auto report = migrate(db().conninfo(), dir.path());
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code, MigrationErrorCode::Modified);
  EXPECT_EQ(report.error().file, "0001_first.sql");
  EXPECT_NE(report.error().message.find("migration 0001_first.sql changed after it was applied"),
            std::string::npos)
      << report.error().message;
  EXPECT_FALSE(table_exists(db(), "second_table"));  // nothing after the refusal ran
}

TEST_F(MigratorTest, RenamedAppliedMigrationIsRefused) {
  TempDir dir;
  dir.write("0001_first.sql", "CREATE TABLE first_table (id integer);\n");
  ASSERT_TRUE(migrate(db().conninfo(), dir.path()).ok());
  fs::rename(dir.path() / "0001_first.sql", dir.path() / "0001_renamed.sql");

  const auto report = migrate(db().conninfo(), dir.path());
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code, MigrationErrorCode::Modified);
  EXPECT_EQ(report.error().file, "0001_renamed.sql");
  EXPECT_EQ(report.error().message,
            "migration 0001 was applied as 0001_first.sql but the folder now has "
            "0001_renamed.sql; applied migrations are never renamed or edited");
}

TEST_F(MigratorTest, BadFileNamesAreRefusedBeforeAnythingRuns) {
  for (const std::string bad : {"1_first.sql", "0002-second.sql", "0002_Second.sql",
                                "0002_second.SQL", "0002_second.sql.bak", "00002_second.sql",
                                "0002_.sql", "0002_sec ond.sql", "README.md", "0000_zero.sql"}) {
    TempDir dir;
    dir.write("0001_first.sql", "CREATE TABLE first_table (id integer);\n");
    dir.write(bad, "CREATE TABLE bad_table (id integer);\n");
    const auto report = migrate(db().conninfo(), dir.path());
    ASSERT_FALSE(report.ok()) << bad;
    EXPECT_EQ(report.error().code, MigrationErrorCode::BadFileName) << bad;
    EXPECT_EQ(report.error().file, bad);
    EXPECT_NE(report.error().message.find(bad), std::string::npos) << report.error().message;
    EXPECT_FALSE(table_exists(db(), "schema_migrations")) << bad;
  }
}

TEST_F(MigratorTest, HiddenFilesAreIgnored) {
  TempDir dir;
  dir.write("0001_first.sql", "CREATE TABLE first_table (id integer);\n");
  dir.write(".0001_first.sql.swp", "garbage");
  const auto report = migrate(db().conninfo(), dir.path());
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->applied, std::vector<std::string>{"0001_first.sql"});
}

TEST_F(MigratorTest, TwoFilesWithOneNumberAreRefused) {
  TempDir dir;
  dir.write("0001_first.sql", "CREATE TABLE first_table (id integer);\n");
  dir.write("0001_other.sql", "CREATE TABLE other_table (id integer);\n");
  const auto report = migrate(db().conninfo(), dir.path());
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code, MigrationErrorCode::DuplicateVersion);
  EXPECT_EQ(report.error().message,
            "migrations 0001_first.sql and 0001_other.sql share the number 0001");
}

TEST_F(MigratorTest, NewFileNumberedBelowAnAppliedOneIsRefused) {
  TempDir dir;
  dir.write("0001_first.sql", "CREATE TABLE first_table (id integer);\n");
  dir.write("0003_third.sql", "CREATE TABLE third_table (id integer);\n");
  ASSERT_TRUE(migrate(db().conninfo(), dir.path()).ok());
  dir.write("0002_second.sql", "CREATE TABLE second_table (id integer);\n");

  const auto report = migrate(db().conninfo(), dir.path());
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code, MigrationErrorCode::OutOfOrder);
  EXPECT_EQ(report.error().file, "0002_second.sql");
  EXPECT_FALSE(table_exists(db(), "second_table"));
}

TEST_F(MigratorTest, AppliedMigrationMissingFromTheFolderIsReportedNotFatal) {
  TempDir dir;
  dir.write("0001_first.sql", "CREATE TABLE first_table (id integer);\n");
  dir.write("0002_second.sql", "CREATE TABLE second_table (id integer);\n");
  ASSERT_TRUE(migrate(db().conninfo(), dir.path()).ok());
  fs::remove(dir.path() / "0002_second.sql");  // an older build's folder

  const auto report = migrate(db().conninfo(), dir.path());
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->applied.empty());
  EXPECT_EQ(report->skipped, std::vector<std::string>{"0001_first.sql"});
  EXPECT_EQ(report->unknown, std::vector<std::string>{"0002_second.sql"});
}

TEST_F(MigratorTest, MissingFolderIsUnreadable) {
  const auto report = migrate(db().conninfo(), "/nonexistent/keyward/migrations");
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code, MigrationErrorCode::Unreadable);
  EXPECT_NE(report.error().message.find("/nonexistent/keyward/migrations"), std::string::npos);
}

TEST(Migrator, UnreachableDatabaseIsConnectionFailed) {
  const auto report =
      migrate("host=127.0.0.1 port=1 dbname=keyward user=keyward", TestDatabase::migrations_dir());
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code, MigrationErrorCode::ConnectionFailed);
  EXPECT_NE(report.error().message.find("Connection refused"), std::string::npos)
      << report.error().message;
}

TEST(Migrator, MalformedConninfoIsConnectionFailed) {
  const auto report = migrate("host=/tmp hots=x", TestDatabase::migrations_dir());
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code, MigrationErrorCode::ConnectionFailed);
  EXPECT_NE(report.error().message.find("invalid connection option \"hots\""), std::string::npos)
      << report.error().message;
}

}  // namespace
}  // namespace keyward::storage
