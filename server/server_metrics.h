#pragma once
// What `keyward serve` reports at /metrics beyond the HTTP layer's request counts
// (http/request_metrics.h), the audit events (metrics/event_counter.h) and the process
// (metrics/process_metrics.h): the worker pool, the PostgreSQL pool, the signing keys and
// the documents rendered from them (JWKS, discovery), each read when scraped.
// docs/observability.md lists every metric.
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "audit/event_writer.h"
#include "common/clock.h"
#include "http/worker_pool.h"
#include "keys/key_manager.h"
#include "metrics/registry.h"
#include "storage/database.h"

namespace keyward::server {

// The histogram the worker pool observes its queue wait into; register it before the pool.
[[nodiscard]] metrics::Histogram& worker_wait_histogram(metrics::Registry& registry);

struct ServerMetricSources {
  storage::Database& database;
  const http::WorkerPool& pool;
  std::shared_ptr<const keys::KeyManager> keys;
  const Clock& clock;
  std::function<std::int64_t()> in_flight;  // requests at a handler now
  std::string_view version;
};

// Registers the families; the sources must outlive every render of `registry`.
void add_server_metrics(metrics::Registry& registry, ServerMetricSources sources);

// The audit events writer's queue and what it wrote, dropped and failed to write
// (KEYWARD_EVENTS=on only). `writer` must outlive every render of `registry`.
void add_event_writer_metrics(metrics::Registry& registry, const audit::AsyncEventWriter& writer);

}  // namespace keyward::server
