#include "resource_server/sample/note_store.h"

#include <pqxx/pqxx>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "storage/conninfo.h"
#include "storage/migrator.h"

namespace keyward::rs {
namespace {

constexpr const char* kTime =
    "to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

Result<std::string, std::string> schema_conninfo(std::string_view conninfo) {
  auto info = storage::ConnInfo::parse(conninfo);
  if (!info.ok()) return err("not a valid PostgreSQL connection string: " + info.error());
  std::string options = info->get("options").value_or("");
  if (!options.empty()) options += ' ';
  options += "-c search_path=" + std::string(kSampleSchema);
  info->set("options", options);
  info->set_default("application_name", "keyward-sample-rs");
  info->set_default("connect_timeout", "5");
  storage::set_tcp_keepalive_defaults(*info);
  return info->to_string();
}

Result<std::vector<std::string>, std::string> migrate_sample_schema(
    std::string_view conninfo, const std::filesystem::path& dir) {
  auto in_schema = schema_conninfo(conninfo);
  if (!in_schema.ok()) return err(in_schema.error());
  try {
    // The runner keeps its schema_migrations in the first schema of search_path, which must
    // exist before it runs. Two instances starting at once may race here; the loser's
    // unique_violation means the schema exists, which is all we need.
    pqxx::connection connection(*in_schema);
    pqxx::nontransaction tx(connection);
    tx.exec("CREATE SCHEMA IF NOT EXISTS " + std::string(kSampleSchema));
  } catch (const pqxx::unique_violation&) {
  } catch (const std::exception& e) {
    return err("cannot create the schema " + std::string(kSampleSchema) + ": " + trimmed(e.what()));
  }
  auto report = storage::migrate(*in_schema, dir);
  if (!report.ok()) {
    const auto& e = report.error();
    return err(e.file.empty() ? e.message : e.file + ": " + e.message);
  }
  return report->applied;
}

struct NoteStore::Impl {
  std::string conninfo;
  size_t max_connections = 2;
  std::mutex mutex;
  std::condition_variable returned;
  std::vector<std::unique_ptr<pqxx::connection>> idle;
  size_t open = 0;

  std::unique_ptr<pqxx::connection> connect() {
    auto c = std::make_unique<pqxx::connection>(conninfo);
    c->prepare("note_get", std::string("SELECT note, ") + kTime + " FROM notes WHERE sub = $1");
    c->prepare("note_put",
               std::string("INSERT INTO notes (sub, note) VALUES ($1, $2) ON CONFLICT (sub) DO "
                           "UPDATE SET note = EXCLUDED.note, updated_at = now() RETURNING note, ") +
                   kTime);
    c->prepare("board_get",
               std::string("SELECT message, updated_by, ") + kTime + " FROM board WHERE id = 1");
    c->prepare("board_put",
               std::string("UPDATE board SET message = $2, updated_by = $1, updated_at = now() "
                           "WHERE id = 1 RETURNING message, updated_by, ") +
                   kTime);
    return c;
  }

  std::unique_ptr<pqxx::connection> acquire() {
    std::unique_lock lock(mutex);
    if (!returned.wait_for(lock, std::chrono::seconds(5),
                           [this] { return !idle.empty() || open < max_connections; })) {
      throw std::runtime_error("every database connection stayed busy for 5 s");
    }
    if (!idle.empty()) {
      auto c = std::move(idle.back());
      idle.pop_back();
      return c;
    }
    ++open;
    lock.unlock();
    try {
      return connect();
    } catch (...) {
      std::lock_guard relock(mutex);
      --open;
      returned.notify_one();
      throw;
    }
  }

  void give_back(std::unique_ptr<pqxx::connection> c, bool broken) {
    std::lock_guard lock(mutex);
    if (broken || !c->is_open()) {
      --open;
    } else {
      idle.push_back(std::move(c));
    }
    returned.notify_one();
  }

  // Runs f(nontransaction&) on a pooled connection; a connection that broke while idle gets
  // one more try on a fresh one (every statement here is safe to repeat).
  template <class F>
  auto run(F&& f) -> Result<decltype(f(std::declval<pqxx::nontransaction&>())), std::string> {
    for (int attempt = 1;; ++attempt) {
      std::unique_ptr<pqxx::connection> c;
      try {
        c = acquire();
        // The transaction must be gone before the connection goes back: another thread may
        // take it at once, and a connection serves one thread and one transaction at a time
        // (handing it back first gave "nontransaction still active" 503s, and a crash, under
        // load).
        auto value = [&] {
          pqxx::nontransaction tx(*c);
          return f(tx);
        }();
        give_back(std::move(c), false);
        return value;
      } catch (const pqxx::broken_connection& e) {
        if (c) give_back(std::move(c), true);
        if (attempt == 1) continue;
        return err("database unreachable: " + trimmed(e.what()));
      } catch (const std::exception& e) {
        if (c) give_back(std::move(c), true);
        return err(trimmed(e.what()));
      }
    }
  }
};

NoteStore::NoteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
NoteStore::~NoteStore() = default;

Result<std::unique_ptr<NoteStore>, std::string> NoteStore::open(std::string_view conninfo,
                                                                size_t max_connections) {
  auto in_schema = schema_conninfo(conninfo);
  if (!in_schema.ok()) return err(in_schema.error());
  auto impl = std::make_unique<Impl>();
  impl->conninfo = std::move(in_schema).value();
  impl->max_connections = std::max<size_t>(1, max_connections);
  return std::unique_ptr<NoteStore>(new NoteStore(std::move(impl)));
}

Result<std::optional<Note>, std::string> NoteStore::note(std::string_view sub) {
  return impl_->run([&](pqxx::nontransaction& tx) -> std::optional<Note> {
    const pqxx::result r = tx.exec_prepared("note_get", std::string(sub));
    if (r.empty()) return std::nullopt;
    return Note{r[0][0].as<std::string>(), r[0][1].as<std::string>()};
  });
}

Result<Note, std::string> NoteStore::set_note(std::string_view sub, std::string_view text) {
  return impl_->run([&](pqxx::nontransaction& tx) {
    const pqxx::result r = tx.exec_prepared("note_put", std::string(sub), std::string(text));
    return Note{r[0][0].as<std::string>(), r[0][1].as<std::string>()};
  });
}

Result<BoardMessage, std::string> NoteStore::board() {
  return impl_->run([&](pqxx::nontransaction& tx) {
    const pqxx::result r = tx.exec_prepared("board_get");
    if (r.empty()) throw std::runtime_error("the board row is missing");
    return BoardMessage{r[0][0].as<std::string>(), r[0][1].as<std::string>(),
                        r[0][2].as<std::string>()};
  });
}

Result<BoardMessage, std::string> NoteStore::set_board(std::string_view sub,
                                                       std::string_view message) {
  return impl_->run([&](pqxx::nontransaction& tx) {
    const pqxx::result r = tx.exec_prepared("board_put", std::string(sub), std::string(message));
    if (r.empty()) throw std::runtime_error("the board row is missing");
    return BoardMessage{r[0][0].as<std::string>(), r[0][1].as<std::string>(),
                        r[0][2].as<std::string>()};
  });
}

std::optional<std::string> NoteStore::check_ready() {
  auto r = impl_->run([](pqxx::nontransaction& tx) {
    tx.exec("SELECT 1");
    return true;
  });
  if (r.ok()) return std::nullopt;
  return r.error();
}

}  // namespace keyward::rs
