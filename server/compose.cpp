#include "server/compose.h"

#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <iostream>

#include "server/endpoints/health.h"
#include "server/endpoints/test_routes.h"
#include "server/http/pistache_adapter.h"
#include "server/http/service.h"
#include "server/worker_pool.h"
#include "storage/database.h"
#include "storage/migrator.h"

namespace keyward::server {

namespace {
constexpr size_t kWorkerQueue = 1024;
}  // namespace

struct App::Parts {
  std::optional<storage::Database> database;
  std::unique_ptr<HttpService> service;
  std::unique_ptr<WorkerPool> pool;
  std::unique_ptr<HttpServer> server;
  bool stopped = false;
};

App::App() : parts_(std::make_unique<Parts>()) {}

App::~App() {
  stop(std::chrono::milliseconds(0));
}

Result<std::unique_ptr<App>, std::string> App::start(const Config& config, Logger& logger) {
  auto url = require_database_url(config);
  if (!url.ok()) return err(url.error());

  auto master_key = resolve_master_key(config);
  if (!master_key.ok()) return err(master_key.error());
  if (master_key->development) {
    logger.warn("KEYWARD_MASTER_KEY is not set: using the DEVELOPMENT master key in " +
                    master_key->path.string() +
                    "; anyone who can read that file can decrypt the signing keys. Set "
                    "KEYWARD_MASTER_KEY (openssl rand -hex 32) in production",
                {{"path", master_key->path.string()}});
  }

  storage::DatabaseOptions db_options;
  // One connection per reactor thread plus one per worker (DESIGN.md "libpqxx 6.4").
  db_options.max_connections = static_cast<size_t>(config.threads + config.workers);
  auto database = storage::Database::open(*url, db_options);
  if (!database.ok()) {
    return err("KEYWARD_DATABASE_URL is not a valid PostgreSQL connection string: " +
               database.error());
  }

  std::unique_ptr<App> app(new App());
  Parts& p = *app->parts_;
  p.database.emplace(std::move(database).value());
  p.service = std::make_unique<HttpService>(HttpServiceOptions{config.trusted_proxies}, logger);
  p.pool = std::make_unique<WorkerPool>(static_cast<size_t>(config.workers), kWorkerQueue);

  HttpService* service = p.service.get();
  storage::Database* db = &*p.database;
  auto readiness = std::make_shared<ReadinessCheck>([service, db]() -> std::optional<std::string> {
    if (service->draining()) return std::string("shutting down");
    return db->check_ready();
  });
  Router& router = p.service->router();
  add_health_routes(router, readiness);
  if (config.test_routes) add_test_routes(router, logger);

  HttpServerOptions server_options;
  server_options.host = config.listen.host;
  server_options.port = config.listen.port;
  server_options.threads = config.threads;
  p.server = std::make_unique<HttpServer>(*p.service, *p.pool, server_options);
  try {
    p.server->start();
  } catch (const std::exception& e) {
    p.pool->stop();
    return err("cannot listen on " + config.listen.to_string() + ": " + e.what() +
               "; set KEYWARD_LISTEN to a free address");
  }
  return app;
}

void App::begin_drain() {
  if (parts_->service) parts_->service->begin_drain();
}

uint16_t App::port() const {
  return parts_->server ? parts_->server->port() : 0;
}

bool App::stop(std::chrono::milliseconds timeout) {
  if (parts_->stopped) return true;
  parts_->stopped = true;
  bool drained = true;
  // Order matters: the server stops first (answers in flight are written), then the
  // workers finish what they hold; the Pistache objects outlive both.
  if (parts_->server) drained = parts_->server->drain_and_stop(timeout);
  if (parts_->pool) parts_->pool->stop();
  return drained;
}

int run_serve(const Config& config, Logger& logger) {
  // SIGTERM and SIGINT are blocked here, before any thread exists, so every thread
  // inherits the mask and the main thread alone receives them through sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  for (const auto& w : config.warnings) logger.warn(w);

  auto app = App::start(config, logger);
  if (!app.ok()) {
    logger.error("cannot start", {{"error", app.error()}});
    std::fprintf(stderr, "keyward serve: %s\n", app.error().c_str());
    return 1;
  }
  const ListenAddress bound{config.listen.host, app.value()->port()};
  logger.info("listening", {{"address", bound.to_string()},
                            {"issuer", config.issuer},
                            {"threads", config.threads},
                            {"workers", config.workers}});

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  app.value()->begin_drain();
  logger.info("stopping", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
  const bool drained = app.value()->stop(std::chrono::seconds(10));
  if (!drained) logger.warn("drain timed out: some in-flight requests were cut off");
  logger.info("stopped");
  return 0;
}

int run_migrate(const Config& config) {
  auto url = require_database_url(config);
  if (!url.ok()) {
    std::fprintf(stderr, "keyward migrate: %s\n", url.error().c_str());
    return 2;
  }
  auto report = storage::migrate(url.value(), config.migrations_dir);
  if (!report.ok()) {
    const auto& e = report.error();
    if (!e.file.empty()) {
      std::fprintf(stderr, "keyward migrate: %s: %s\n", e.file.c_str(), e.message.c_str());
    } else {
      std::fprintf(stderr, "keyward migrate: %s\n", e.message.c_str());
    }
    return 1;
  }
  for (const auto& name : report->applied) std::printf("applied %s\n", name.c_str());
  for (const auto& name : report->unknown) {
    std::fprintf(stderr,
                 "keyward migrate: warning: %s is recorded as applied but is not in %s (a newer "
                 "build migrated this database)\n",
                 name.c_str(), config.migrations_dir.c_str());
  }
  if (report->applied.empty()) {
    std::printf("nothing to apply: %zu migration(s) already applied\n", report->skipped.size());
  } else {
    std::printf("%zu migration(s) applied, %zu already applied\n", report->applied.size(),
                report->skipped.size());
  }
  return 0;
}

}  // namespace keyward::server
