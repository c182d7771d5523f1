#pragma once
// A small fixed pool for work that must not run on a Pistache reactor thread: anything
// that blocks (database round trips) or burns CPU (Argon2id, ~20 ms). A reactor thread
// serves every connection it owns, so one slow handler there stalls them all.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace keyward::http {

class WorkerPool {
 public:
  // `max_queue` bounds the backlog: beyond it submit() refuses and the caller answers
  // 503, rather than letting latency grow without limit.
  WorkerPool(size_t threads, size_t max_queue);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False when the queue is full or the pool is stopping. Tasks must not throw; one
  // that does is stopped here and the exception dropped, so a worker never dies.
  [[nodiscard]] bool submit(std::function<void()> task);

  // Runs what is queued, then joins the threads. Idempotent.
  void stop();

  [[nodiscard]] size_t thread_count() const { return threads_.size(); }

 private:
  void run();

  size_t max_queue_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace keyward::http
