#pragma once
// GET /health/live and GET /health/ready.
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/log.h"
#include "http/router.h"

namespace keyward::http {

// Returns nullopt when ready, else a short reason for operators ("database unreachable").
using ReadinessProbe = std::function<std::optional<std::string>()>;

// Runs the probe at most once per `max_age` and shares the answer, so a burst of
// load-balancer checks costs one database round trip; callers arriving while a probe
// runs get the previous answer without waiting. Thread-safe.
class ReadinessCheck {
 public:
  explicit ReadinessCheck(ReadinessProbe probe,
                          std::chrono::milliseconds max_age = std::chrono::milliseconds(1000))
      : probe_(std::move(probe)), max_age_(max_age) {}

  [[nodiscard]] std::optional<std::string> check();

 private:
  ReadinessProbe probe_;
  std::chrono::milliseconds max_age_;
  std::mutex mutex_;
  std::optional<std::chrono::steady_clock::time_point> checked_at_;
  bool probing_ = false;
  std::optional<std::string> last_;
};

// /health/live: 200 {"status":"ok"} while the process serves (on the reactor: it
// touches nothing). /health/ready: 200 {"status":"ready"} or 503
// {"status":"unavailable"}; it runs on the worker pool because the probe may wait on the
// database. The reason (libpq's error text with the database's address, the key state)
// is for operators: it goes to the log as a "not ready" line with the request id, never
// into the public answer.
void add_health_routes(Router& router, const std::shared_ptr<ReadinessCheck>& readiness,
                       Logger& logger);

}  // namespace keyward::http
