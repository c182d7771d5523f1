#include "server/endpoints/health.h"

namespace keyward::server {

std::optional<std::string> ReadinessCheck::check() {
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (!checked_at_ || now - *checked_at_ >= max_age_) {
    try {
      last_ = probe_();
    } catch (const std::exception&) {
      last_ = "readiness probe failed";
    }
    checked_at_ = std::chrono::steady_clock::now();
  }
  return last_;
}

void add_health_routes(Router& router, std::shared_ptr<ReadinessCheck> readiness) {
  router.add(Method::Get, "/health/live", [](const HttpRequest&) {
    auto r = HttpResponse::json(200, {{"status", "ok"}});
    r.headers.set("Cache-Control", "no-store");
    return r;
  });
  router.add(
      Method::Get, "/health/ready",
      [readiness](const HttpRequest&) {
        auto reason = readiness->check();
        auto r = reason ? HttpResponse::json(503, {{"status", "unavailable"}, {"reason", *reason}})
                        : HttpResponse::json(200, {{"status", "ready"}});
        r.headers.set("Cache-Control", "no-store");
        return r;
      },
      Execution::Worker);
}

}  // namespace keyward::server
