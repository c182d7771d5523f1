#include "server/server_metrics.h"

#include <chrono>
#include <string>

namespace keyward::server {

namespace {

using metrics::Type;

double seconds_since(TimePoint then, TimePoint now) {
  return std::chrono::duration<double>(now - then).count();
}

void add_pool_metrics(metrics::Registry& r, const ServerMetricSources& s) {
  const http::WorkerPool* pool = &s.pool;
  r.callback(Type::Gauge, "keyward_worker_pool_queue_depth",
             "Requests waiting for a worker thread now.", {},
             [pool] { return static_cast<double>(pool->queue_depth()); });
  r.callback(Type::Gauge, "keyward_worker_pool_threads", "Worker threads.", {},
             [pool] { return static_cast<double>(pool->thread_count()); });
  r.callback(Type::Counter, "keyward_worker_pool_rejected_total",
             "Requests answered 503 because the worker queue was full.", {},
             [pool] { return static_cast<double>(pool->rejected()); });
  r.callback(Type::Gauge, "keyward_http_requests_in_flight",
             "Requests handed to a handler whose answer is not written yet.", {},
             [in_flight = s.in_flight] { return static_cast<double>(in_flight()); });

  storage::Database* db = &s.database;
  constexpr std::string_view kConnections = "PostgreSQL pool connections, by state.";
  r.callback(Type::Gauge, "keyward_db_pool_connections", kConnections, {{"state", "in_use"}},
             [db] { return static_cast<double>(db->pool_stats().in_use); });
  r.callback(Type::Gauge, "keyward_db_pool_connections", kConnections, {{"state", "idle"}}, [db] {
    const auto st = db->pool_stats();
    return static_cast<double>(st.open - st.in_use);
  });
  r.callback(Type::Gauge, "keyward_db_pool_max_connections",
             "The most connections the PostgreSQL pool opens.", {},
             [db] { return static_cast<double>(db->pool_stats().max); });
  constexpr std::string_view kErrors =
      "PostgreSQL pool failures, by kind: connect (a connection could not be opened), "
      "exhausted (none became free in time), connection_lost (one broke during a call), "
      "timeout (a statement was cancelled by statement_timeout or lock_timeout).";
  using Field = std::uint64_t storage::PoolStats::*;
  for (const auto& [kind, field] :
       {std::pair<const char*, Field>{"connect", &storage::PoolStats::connect_failures},
        {"exhausted", &storage::PoolStats::exhausted},
        {"connection_lost", &storage::PoolStats::connections_lost},
        {"timeout", &storage::PoolStats::timeouts}}) {
    r.callback(Type::Counter, "keyward_db_pool_errors_total", kErrors, {{"kind", kind}},
               [db, field = field] { return static_cast<double>(db->pool_stats().*field); });
  }
}

void add_key_metrics(metrics::Registry& r, const ServerMetricSources& s) {
  auto keys = s.keys;
  const Clock* clock = &s.clock;
  r.callback(Type::Gauge, "keyward_signing_keys_loaded",
             "1 once signing keys are loaded (tokens can be issued), else 0.", {},
             [keys] { return keys->snapshot() ? 1.0 : 0.0; });
  r.callback(Type::Gauge, "keyward_signing_key_age_seconds",
             "Seconds since the active signing key was created.", {}, [keys, clock] {
               const auto snap = keys->snapshot();
               return snap ? seconds_since(snap->active_created_at, clock->now()) : 0.0;
             });
  r.callback(Type::Gauge, "keyward_signing_keys_published",
             "Keys in the published JWKS (next, active and retired).", {}, [keys] {
               const auto snap = keys->snapshot();
               return snap && snap->published ? static_cast<double>(snap->published->keys().size())
                                              : 0.0;
             });
  // /jwks and the discovery documents are rendered once per key change and served from
  // that snapshot (DESIGN.md "Performance"): its generation and age are the cache's state.
  r.callback(Type::Gauge, "keyward_key_documents_generation",
             "Generation of the JWKS and discovery documents served (1, 2, ... per key change "
             "in this process; 0 before the first load).",
             {}, [keys] {
               const auto snap = keys->snapshot();
               return snap ? static_cast<double>(snap->version) : 0.0;
             });
  r.callback(Type::Gauge, "keyward_key_documents_age_seconds",
             "Seconds since the JWKS and discovery documents served were rendered.", {},
             [keys, clock] {
               const auto snap = keys->snapshot();
               return snap ? seconds_since(snap->published_at, clock->now()) : 0.0;
             });
  r.callback(Type::Gauge, "keyward_jwks_bytes", "Size of the JWKS document served.", {}, [keys] {
    const auto snap = keys->snapshot();
    return snap ? static_cast<double>(snap->jwks_json.size()) : 0.0;
  });
}

}  // namespace

metrics::Histogram& worker_wait_histogram(metrics::Registry& registry) {
  return registry.histogram("keyward_worker_pool_wait_seconds",
                            "Time requests waited in the worker queue before a thread took them.",
                            metrics::latency_buckets());
}

void add_event_writer_metrics(metrics::Registry& registry, const audit::AsyncEventWriter& writer) {
  const audit::AsyncEventWriter* w = &writer;
  registry.callback(Type::Gauge, "keyward_audit_event_queue_depth",
                    "Audit events queued for the events table now.", {},
                    [w] { return static_cast<double>(w->stats().queue_depth); });
  registry.callback(Type::Counter, "keyward_audit_events_written_total",
                    "Audit events stored in the events table.", {},
                    [w] { return static_cast<double>(w->stats().written); });
  constexpr std::string_view kDropped =
      "Audit events never stored, by reason: queue_full (the writer's queue was full) or "
      "write_failed (their batch failed every attempt, or was left at shutdown).";
  registry.callback(Type::Counter, "keyward_audit_events_dropped_total", kDropped,
                    {{"reason", "queue_full"}},
                    [w] { return static_cast<double>(w->stats().dropped_queue_full); });
  registry.callback(Type::Counter, "keyward_audit_events_dropped_total", kDropped,
                    {{"reason", "write_failed"}},
                    [w] { return static_cast<double>(w->stats().dropped_write_failed); });
  registry.callback(Type::Counter, "keyward_audit_event_write_failures_total",
                    "Failed attempts to write a batch of audit events (retried or not).", {},
                    [w] { return static_cast<double>(w->stats().write_failures); });
}

void add_server_metrics(metrics::Registry& registry, ServerMetricSources sources) {
  registry
      .gauge("keyward_build_info", "Always 1; the version is in the label.",
             {{"version", std::string(sources.version)}})
      .set(1);
  add_pool_metrics(registry, sources);
  add_key_metrics(registry, sources);
}

}  // namespace keyward::server
