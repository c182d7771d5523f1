#include "server/janitor_schedule.h"

#include <random>

namespace keyward::server {
namespace {

// ±10 %, so instances drift apart.
std::chrono::milliseconds jittered(std::chrono::seconds base) {
  static thread_local std::mt19937 rng{std::random_device{}()};
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(base).count();
  std::uniform_int_distribution<long long> spread(-ms / 10, ms / 10);
  return std::chrono::milliseconds(std::max<long long>(0, ms + spread(rng)));
}

}  // namespace

JanitorSchedule::JanitorSchedule(storage::Database& database, Logger& logger,
                                 JanitorScheduleOptions options)
    : janitor_(database, options.janitor), logger_(logger), options_(options) {
  thread_ = std::thread([this] { run(); });
}

JanitorSchedule::~JanitorSchedule() {
  stop();
}

void JanitorSchedule::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void JanitorSchedule::run() {
  auto delay = jittered(options_.first_delay);
  while (true) {
    {
      std::unique_lock lock(mutex_);
      if (wake_.wait_for(lock, delay, [this] { return stopping_; })) return;
    }
    delay = jittered(options_.interval);
    try {
      auto counts = janitor_.run_once(SystemClock().now());
      if (!counts.ok()) {
        logger_.warn("janitor failed", {{"error", storage::to_string(counts.error().code)},
                                        {"detail", counts.error().message}});
        continue;
      }
      if (!counts->ran) {
        logger_.debug("janitor skipped: another instance is running it");
        continue;
      }
      logger_.info("janitor", {{"authorization_codes", counts->authorization_codes},
                               {"refresh_tokens", counts->refresh_tokens},
                               {"revoked_access_tokens", counts->revoked_access_tokens},
                               {"grants", counts->grants},
                               {"browser_sessions", counts->browser_sessions},
                               {"login_throttle", counts->login_throttle},
                               {"account_links", counts->account_links},
                               {"mail_requests", counts->mail_requests},
                               {"mail_outbox", counts->mail_outbox},
                               {"registration_tokens", counts->registration_tokens},
                               {"federation_flows", counts->federation_flows},
                               {"events", counts->events}});
    } catch (const std::exception& e) {
      // Never let housekeeping take the server down.
      logger_.error("janitor failed", {{"exception", e.what()}});
    }
  }
}

}  // namespace keyward::server
