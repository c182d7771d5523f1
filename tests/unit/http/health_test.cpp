// Readiness caching (http/health.h).
#include "http/health.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

namespace keyward::http {
namespace {

TEST(ReadinessCheck, CachesWithinMaxAge) {
  std::atomic<int> calls{0};
  ReadinessCheck check(
      [&]() -> std::optional<std::string> {
        ++calls;
        return std::nullopt;
      },
      std::chrono::hours(1));
  EXPECT_FALSE(check.check().has_value());
  EXPECT_FALSE(check.check().has_value());
  EXPECT_EQ(calls.load(), 1);
}

TEST(ReadinessCheck, ProbesAgainWhenStale) {
  std::atomic<int> calls{0};
  ReadinessCheck check(
      [&]() -> std::optional<std::string> {
        return ++calls == 1 ? std::optional<std::string>("database unreachable") : std::nullopt;
      },
      std::chrono::milliseconds(0));
  EXPECT_EQ(check.check().value(), "database unreachable");
  EXPECT_FALSE(check.check().has_value());
  EXPECT_EQ(calls.load(), 2);
}

TEST(ReadinessCheck, ThrowingProbeIsNotReady) {
  ReadinessCheck check([]() -> std::optional<std::string> { throw std::runtime_error("x"); });
  EXPECT_EQ(check.check().value(), "readiness probe failed");
}

TEST(ReadinessCheck, ConcurrentCallersDoNotWaitForASlowProbe) {
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::promise<void> entered;
  ReadinessCheck check(
      [&, gate]() -> std::optional<std::string> {
        entered.set_value();
        gate.wait();
        return std::nullopt;
      },
      std::chrono::milliseconds(0));
  auto first = std::async(std::launch::async, [&] { return check.check(); });
  entered.get_future().wait();
  // The probe is blocked; a second caller answers at once.
  EXPECT_EQ(check.check().value(), "readiness check in progress");
  release.set_value();
  EXPECT_FALSE(first.get().has_value());
}

}  // namespace
}  // namespace keyward::http
