// keyward-sample-rs: a resource server that trusts Keyward's access tokens without calling
// Keyward per request. It verifies them locally against the JWKS (resource_server/verifier.h),
// keeps a little data of its own per user (resource_server/migrations/), and answers per
// RFC 6750. Configuration: KEYWARD_RS_* (docs/endpoints.md, "Sample resource server").
//   keyward-sample-rs            serve (migrates its own schema first); SIGTERM/SIGINT drain
//   keyward-sample-rs migrate    apply resource_server/migrations and exit
//   keyward-sample-rs help
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <memory>
#include <string_view>

#include "common/log.h"
#include "http/health.h"
#include "http/metrics_endpoint.h"
#include "http/pistache_adapter.h"
#include "http/request_metrics.h"
#include "http/service.h"
#include "http/worker_pool.h"
#include "metrics/process_metrics.h"
#include "metrics/registry.h"
#include "resource_server/http_fetcher.h"
#include "resource_server/jwks_cache.h"
#include "resource_server/sample/api.h"
#include "resource_server/sample/note_store.h"
#include "resource_server/sample/rs_config.h"
#include "resource_server/sample/rs_metrics.h"
#include "resource_server/verifier.h"

namespace {

using namespace keyward;

constexpr const char* kUsage =
    "usage: keyward-sample-rs [serve|migrate|help]\n"
    "\n"
    "  serve    (default) migrate the sample_rs schema, then serve /api/* until SIGTERM\n"
    "  migrate  apply the migrations in KEYWARD_RS_MIGRATIONS_DIR and exit\n"
    "\n"
    "Settings: KEYWARD_RS_* environment variables (docs/endpoints.md).\n";

constexpr size_t kWorkerQueue = 1024;

void log_jwks_event(Logger& logger, const rs::JwksEvent& e) {
  switch (e.kind) {
    case rs::JwksEvent::Kind::Fetched:
      logger.info("jwks fetched",
                  {{"detail", e.message}, {"keys", e.keys}, {"ttl_s", e.ttl.count()}});
      break;
    case rs::JwksEvent::Kind::FetchFailed:
      logger.warn("jwks fetch failed", {{"error", e.message}});
      break;
    case rs::JwksEvent::Kind::ServingStale:
      logger.warn("jwks stale", {{"detail", e.message}});
      break;
  }
}

int migrate(const rs::RsConfig& config, Logger& logger) {
  auto applied = rs::migrate_sample_schema(config.database_url, config.migrations_dir);
  if (!applied.ok()) {
    logger.error("migration failed", {{"error", applied.error()}});
    std::fprintf(stderr, "keyward-sample-rs: migration failed: %s\n", applied.error().c_str());
    return 1;
  }
  for (const auto& name : *applied) logger.info("migration applied", {{"file", name}});
  return 0;
}

int serve(const rs::RsConfig& config, Logger& logger) {
  // As in keyward serve: the stop signals are blocked before any thread exists, and the main
  // thread alone takes them through sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  if (int rc = migrate(config, logger); rc != 0) return rc;
  auto notes = rs::NoteStore::open(config.database_url, static_cast<size_t>(config.workers) +
                                                            static_cast<size_t>(config.threads));
  if (!notes.ok()) {
    std::fprintf(stderr, "keyward-sample-rs: %s\n", notes.error().c_str());
    return 1;
  }

  // What /metrics renders; its callbacks read the parts below, which outlive every request.
  metrics::Registry registry;
  rs::RsMetrics counts(registry);
  SystemClock clock;
  rs::CurlFetcher fetcher;
  rs::JwksCache keys(fetcher, clock, config.jwks, [&logger, &counts](const rs::JwksEvent& e) {
    counts.jwks_event(e);
    log_jwks_event(logger, e);
  });
  rs::TokenVerifier verifier(keys, clock, config.verifier);
  // Warm the cache so the first request does not wait; an issuer that is not up yet is not
  // fatal: the first request (or readiness) tries again.
  (void)keys.refresh();

  http::HttpService service(http::HttpServiceOptions{config.trusted_proxies}, logger);
  http::WorkerPool pool(
      static_cast<size_t>(config.workers), kWorkerQueue,
      &registry.histogram("keyward_worker_pool_wait_seconds",
                          "Time requests waited in the worker queue before a thread took them.",
                          metrics::latency_buckets()));
  rs::SampleApi api{verifier, **notes, config.realm, logger, &counts};
  rs::add_api_routes(service.router(), api);
  rs::NoteStore* store = notes->get();
  auto readiness = std::make_shared<http::ReadinessCheck>(
      [&service, &keys, store]() -> std::optional<std::string> {
        if (service.draining()) return std::string("shutting down");
        if (auto reason = store->check_ready()) return "database: " + *reason;
        if (!keys.has_usable_keys()) {
          auto fetched = keys.get();
          if (!fetched.ok()) return "signing keys: " + fetched.error();
        }
        return std::nullopt;
      });
  http::add_health_routes(service.router(), readiness, logger);
  // Last among the routes, so every route has its cells in the request metrics.
  http::add_metrics_route(service.router(), registry, config.metrics_allow);
  http::RequestMetrics request_metrics(registry, service.router());
  service.measure_with(&request_metrics);
  registry.callback(metrics::Type::Gauge, "keyward_worker_pool_queue_depth",
                    "Requests waiting for a worker thread now.", {},
                    [&pool] { return static_cast<double>(pool.queue_depth()); });
  registry.callback(metrics::Type::Gauge, "keyward_rs_verified_tokens_cached",
                    "Verified tokens remembered until their exp.", {},
                    [&verifier] { return static_cast<double>(verifier.cached_tokens()); });
  metrics::add_process_metrics(registry);

  http::HttpServerOptions options;
  options.host = config.listen.host;
  options.port = config.listen.port;
  options.threads = config.threads;
  http::HttpServer http(service, pool, options);
  try {
    http.start();
  } catch (const std::exception& e) {
    pool.stop();
    std::fprintf(stderr, "keyward-sample-rs: cannot listen on %s: %s\n",
                 config.listen.to_string().c_str(), e.what());
    return 1;
  }
  const rs::RsListen bound{config.listen.host, http.port()};
  logger.info("listening", {{"address", bound.to_string()},
                            {"issuer", config.verifier.issuer},
                            {"audiences", config.verifier.audiences},
                            {"threads", config.threads},
                            {"workers", config.workers}});

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  service.begin_drain();
  logger.info("stopping", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
  if (!http.drain_and_stop(std::chrono::seconds(10))) {
    logger.warn("drain timed out: some in-flight requests were cut off");
  }
  pool.stop();
  logger.info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  const std::string_view command = argc > 1 ? argv[1] : "serve";
  if (command == "help" || command == "--help" || command == "-h") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (argc > 2 || (command != "serve" && command != "migrate")) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  auto config = rs::load_rs_config(rs::rs_process_env());
  if (!config.ok()) {
    for (const auto& e : config.error()) std::fprintf(stderr, "keyward-sample-rs: %s\n", e.c_str());
    return 2;
  }
  Logger logger(config->log_level);
  for (const auto& w : config->warnings) logger.warn(w);
  if (command == "migrate") return migrate(*config, logger);
  return serve(*config, logger);
}
