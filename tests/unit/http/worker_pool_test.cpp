// The worker pool (http/worker_pool.h).
#include "http/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <stdexcept>

namespace keyward::http {
namespace {

TEST(WorkerPool, RunsTasksOffTheCallingThread) {
  WorkerPool pool(2, 16);
  std::promise<std::thread::id> ran;
  ASSERT_TRUE(pool.submit([&] { ran.set_value(std::this_thread::get_id()); }));
  EXPECT_NE(ran.get_future().get(), std::this_thread::get_id());
}

TEST(WorkerPool, StopRunsWhatIsQueued) {
  std::atomic<int> count{0};
  WorkerPool pool(1, 100);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(pool.submit([&] { count.fetch_add(1); }));
  pool.stop();
  EXPECT_EQ(count.load(), 50);
  EXPECT_FALSE(pool.submit([] {}));
}

TEST(WorkerPool, FullQueueRefuses) {
  WorkerPool pool(1, 1);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(pool.submit([&, gate] {
    started.set_value();
    gate.wait();
  }));
  started.get_future().wait();                        // the only worker is busy
  ASSERT_TRUE(pool.submit([gate] { gate.wait(); }));  // fills the queue of one
  EXPECT_FALSE(pool.submit([] {}));
  release.set_value();
}

TEST(WorkerPool, ThrowingTaskDoesNotKillTheWorker) {
  WorkerPool pool(1, 4);
  ASSERT_TRUE(pool.submit([] { throw std::runtime_error("boom"); }));
  std::promise<int> after;
  ASSERT_TRUE(pool.submit([&] { after.set_value(7); }));
  EXPECT_EQ(after.get_future().get(), 7);
}

}  // namespace
}  // namespace keyward::http

namespace keyward::http {
namespace {

// The queue wait every task had is observed; a full queue's refusals and the depth are counted.
TEST(WorkerPoolMetrics, WaitDepthAndRefusals) {
  metrics::Histogram wait({0.01, 1});
  WorkerPool pool(1, 2, &wait);
  std::promise<void> release;
  auto released = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(pool.submit([&started, released] {
    started.set_value();
    released.wait();
  }));
  started.get_future().wait();
  ASSERT_TRUE(pool.submit([] {}));
  ASSERT_TRUE(pool.submit([] {}));
  EXPECT_EQ(pool.queue_depth(), 2u);
  EXPECT_FALSE(pool.submit([] {}));
  EXPECT_EQ(pool.rejected(), 1u);
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  release.set_value();
  pool.stop();
  const auto s = wait.snapshot();
  EXPECT_EQ(s.count(), 3u);
  // The first task was taken at once; the two behind it waited at least 30 ms.
  EXPECT_EQ(s.cumulative[0], 1u);
  EXPECT_GE(s.sum, 0.06);
}

}  // namespace
}  // namespace keyward::http
