#include "http/health.h"

namespace keyward::http {

std::optional<std::string> ReadinessCheck::check() {
  std::unique_lock lock(mutex_);
  const auto fresh = [&] {
    return checked_at_ && std::chrono::steady_clock::now() - *checked_at_ < max_age_;
  };
  // While one caller waits on the database, the others get the last answer at once
  // instead of queueing behind it: a hung database must not pin every worker.
  if (fresh() || probing_) {
    if (!checked_at_) return std::string("readiness check in progress");
    return last_;
  }
  probing_ = true;
  lock.unlock();
  std::optional<std::string> result;
  try {
    result = probe_();
  } catch (const std::exception&) {
    result = "readiness probe failed";
  }
  lock.lock();
  last_ = std::move(result);
  checked_at_ = std::chrono::steady_clock::now();
  probing_ = false;
  return last_;
}

void add_health_routes(Router& router, const std::shared_ptr<ReadinessCheck>& readiness,
                       Logger& logger) {
  router.add(Method::Get, "/health/live", [](const HttpRequest&) {
    auto r = HttpResponse::json(200, {{"status", "ok"}});
    r.headers.set("Cache-Control", "no-store");
    return r;
  });
  router.add(
      Method::Get, "/health/ready",
      [readiness, &logger](const HttpRequest& request) {
        auto reason = readiness->check();
        if (reason) {
          logger.warn("not ready", {{"request_id", request.request_id}, {"reason", *reason}});
        }
        auto r = reason ? HttpResponse::json(503, {{"status", "unavailable"}})
                        : HttpResponse::json(200, {{"status", "ready"}});
        r.headers.set("Cache-Control", "no-store");
        return r;
      },
      Execution::Worker);
}

}  // namespace keyward::http
