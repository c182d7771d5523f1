#include "storage/database.h"

#include <algorithm>

#include "storage/conninfo.h"
#include "storage/detail/pool.h"
#include "storage/detail/ready_probe.h"

namespace keyward::storage {
namespace {

// Adds `-c statement_timeout=N` to the server options unless the operator set one.
void default_statement_timeout(ConnInfo& info, std::chrono::milliseconds timeout) {
  std::string options = info.get("options").value_or("");
  if (options.find("statement_timeout") != std::string::npos) return;
  if (!options.empty()) options += ' ';
  options += "-c statement_timeout=" + std::to_string(timeout.count());
  info.set("options", std::move(options));
}

}  // namespace

Result<Database, std::string> Database::open(std::string_view conninfo, DatabaseOptions options) {
  auto parsed = ConnInfo::parse(conninfo);
  if (!parsed) return err(parsed.error());
  // libpq counts connect_timeout in whole seconds and treats anything below 2 as 2.
  const auto connect_timeout =
      std::to_string(std::max<long long>(2, options.ready_timeout.count()));

  ConnInfo pooled = parsed.value();
  pooled.set_default("connect_timeout", connect_timeout);
  pooled.set_default("application_name", "keyward");
  set_tcp_keepalive_defaults(pooled);
  default_statement_timeout(pooled, options.statement_timeout);

  ConnInfo probe = parsed.value();
  probe.set_default("connect_timeout", connect_timeout);
  probe.set_default("application_name", "keyward-ready");
  set_tcp_keepalive_defaults(probe);
  default_statement_timeout(probe, options.ready_timeout);

  return Database(parsed->redacted(),
                  std::make_unique<detail::Pool>(pooled.to_string(), options.max_connections,
                                                 options.acquire_timeout),
                  std::make_unique<detail::ReadyProbe>(probe.to_string(), options.ready_timeout));
}

Database::Database(std::string redacted, std::unique_ptr<detail::Pool> pool,
                   std::unique_ptr<detail::ReadyProbe> probe)
    : redacted_(std::move(redacted)), pool_(std::move(pool)), probe_(std::move(probe)) {}

Database::Database(Database&&) noexcept = default;

PoolStats Database::pool_stats() const {
  return pool_->stats();
}
Database& Database::operator=(Database&&) noexcept = default;
Database::~Database() = default;

std::optional<std::string> Database::check_ready() {
  return probe_->check();
}

Result<Unit, StorageError> Database::notify(std::string_view channel, std::string_view payload) {
  // Sending twice is harmless (listeners re-read), so a connection that died idle is
  // retried once.
  return pool_->run(
      [&](pqxx::nontransaction& tx) {
        tx.exec_params("SELECT pg_notify($1, $2)", std::string(channel), std::string(payload));
      },
      detail::Retry::OnceIfBroken);
}

Result<size_t, StorageError> Database::count_connections(std::string_view application_name) {
  return pool_->run(
      [&](pqxx::nontransaction& tx) {
        return tx
            .exec_params(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND application_name = $1",
                std::string(application_name))[0][0]
            .as<size_t>();
      },
      detail::Retry::OnceIfBroken);
}

std::string Database::describe() const {
  return redacted_;
}

}  // namespace keyward::storage
