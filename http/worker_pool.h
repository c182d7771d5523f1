#pragma once
// A small fixed pool for work that must not run on a Pistache reactor thread: anything
// that blocks (database round trips) or burns CPU (Argon2id, ~20 ms). A reactor thread
// serves every connection it owns, so one slow handler there stalls them all.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "metrics/registry.h"

namespace keyward::http {

class WorkerPool {
 public:
  // `max_queue` bounds the backlog: beyond it submit() refuses and the caller answers
  // 503, rather than letting latency grow without limit.
  // With `wait`, every task's time in the queue (from submit() to a worker taking it) is
  // observed there, in seconds.
  WorkerPool(size_t threads, size_t max_queue, metrics::Histogram* wait = nullptr);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False when the queue is full or the pool is stopping. Tasks must not throw; one
  // that does is stopped here and the exception dropped, so a worker never dies.
  [[nodiscard]] bool submit(std::function<void()> task);

  // Runs what is queued, then joins the threads. Idempotent.
  void stop();

  [[nodiscard]] size_t thread_count() const { return threads_.size(); }
  // Tasks waiting for a worker now (for metrics).
  [[nodiscard]] size_t queue_depth() const;
  // Tasks refused because the queue was full, since the start (for metrics).
  [[nodiscard]] std::uint64_t rejected() const { return rejected_.load(std::memory_order_relaxed); }

 private:
  struct Queued {
    std::function<void()> task;
    std::chrono::steady_clock::time_point since;  // only with wait_
  };
  void run();

  size_t max_queue_;
  metrics::Histogram* wait_;
  std::atomic<std::uint64_t> rejected_{0};
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Queued> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace keyward::http
