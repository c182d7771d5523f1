#include "tests/integration/support/test_database.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <iostream>
#include <stdexcept>

#include "common/crypto.h"
#include "storage/conninfo.h"
#include "storage/migrator.h"

namespace keyward::test {
namespace {

struct ConnFree {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultFree {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Conn = std::unique_ptr<PGconn, ConnFree>;
using PgResult = std::unique_ptr<PGresult, ResultFree>;

std::string trimmed(const char* message) {
  std::string text = message != nullptr ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

Conn connect(const std::string& conninfo) {
  Conn conn(PQconnectdb(conninfo.c_str()));
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    throw std::runtime_error("test database: cannot connect: " +
                             trimmed(conn ? PQerrorMessage(conn.get()) : "out of memory"));
  }
  return conn;
}

PgResult run(PGconn* conn, std::string_view sql) {
  PgResult result(PQexec(conn, std::string(sql).c_str()));
  const auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw std::runtime_error(
        "test database: " +
        trimmed(result ? PQresultErrorMessage(result.get()) : PQerrorMessage(conn)) +
        " (in: " + std::string(sql) + ")");
  }
  return result;
}

std::string with_dbname(const std::string& conninfo, const std::string& dbname) {
  auto info = storage::ConnInfo::parse(conninfo);
  if (!info) throw std::runtime_error("KEYWARD_TEST_DATABASE_URL: " + info.error());
  info->set("dbname", dbname);
  return info->to_string();
}

}  // namespace

std::optional<std::string> TestDatabase::cluster_conninfo() {
  const char* value = std::getenv("KEYWARD_TEST_DATABASE_URL");
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

std::filesystem::path TestDatabase::migrations_dir() {
  return KEYWARD_MIGRATIONS_DIR;
}

TestDatabase::TestDatabase(Schema schema) {
  const auto cluster = cluster_conninfo();
  if (!cluster) throw std::runtime_error("KEYWARD_TEST_DATABASE_URL is not set");
  name_ = "keyward_test_" + to_hex(random_bytes(8));
  conninfo_ = with_dbname(*cluster, name_);
  {
    Conn admin = connect(*cluster);
    run(admin.get(), "CREATE DATABASE " + name_);
  }
  if (schema == Schema::Migrated) {
    auto migrated = storage::migrate(conninfo_, migrations_dir());
    if (!migrated) {
      const std::string message = migrated.error().message;
      try {
        Conn admin = connect(*cluster);
        run(admin.get(), "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
      } catch (const std::exception&) {  // the migration failure is the news
      }
      throw std::runtime_error("test database: migrating failed: " + message);
    }
  }
}

TestDatabase::~TestDatabase() {
  try {
    Conn admin = connect(*cluster_conninfo());
    // FORCE: pools and listeners of the test may still hold connections.
    run(admin.get(), "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception& e) {
    std::cerr << "warning: could not drop " << name_ << ": " << e.what() << "\n";
  }
}

void TestDatabase::exec(std::string_view sql) const {
  Conn conn = connect(conninfo_);
  run(conn.get(), sql);
}

std::vector<TestDatabase::Row> TestDatabase::query(std::string_view sql) const {
  Conn conn = connect(conninfo_);
  PgResult result = run(conn.get(), sql);
  std::vector<Row> rows;
  for (int r = 0; r < PQntuples(result.get()); ++r) {
    Row row;
    for (int c = 0; c < PQnfields(result.get()); ++c) {
      if (PQgetisnull(result.get(), r, c) != 0) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(PQgetvalue(result.get(), r, c),
                                     static_cast<std::size_t>(PQgetlength(result.get(), r, c))));
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::optional<std::string> TestDatabase::scalar(std::string_view sql) const {
  const auto rows = query(sql);
  if (rows.size() != 1 || rows[0].size() != 1) {
    throw std::runtime_error("test database: expected one value from: " + std::string(sql));
  }
  return rows[0][0];
}

storage::Database TestDatabase::open() const {
  auto database = storage::Database::open(conninfo_);
  if (!database) throw std::runtime_error(database.error());
  return std::move(database).value();
}

std::string TestDatabase::insert_user(std::string_view username) const {
  for (char c : username) {
    if (c == '\'') throw std::invalid_argument("test database: a quote in a seeded username");
  }
  return *scalar("INSERT INTO users (username, password_hash) VALUES ('" + std::string(username) +
                 "', '$argon2id$x') RETURNING id::text");
}

void DatabaseTest::SetUp() {
  if (!TestDatabase::cluster_conninfo()) {
    GTEST_SKIP() << "KEYWARD_TEST_DATABASE_URL is not set: run scripts/test.sh, or start a "
                    "cluster with scripts/pg.sh start and export "
                    "KEYWARD_TEST_DATABASE_URL=\"$(scripts/pg.sh url)\"";
  }
  db_ = std::make_unique<TestDatabase>(schema());
}

void StorageTest::SetUp() {
  DatabaseTest::SetUp();
  if (IsSkipped()) return;
  database_.emplace(db().open());
}

}  // namespace keyward::test
