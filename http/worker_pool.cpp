#include "http/worker_pool.h"

namespace keyward::http {

WorkerPool::WorkerPool(size_t threads, size_t max_queue, metrics::Histogram* wait)
    : max_queue_(max_queue), wait_(wait) {
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

WorkerPool::~WorkerPool() {
  stop();
}

bool WorkerPool::submit(std::function<void()> task) {
  const auto since =
      wait_ != nullptr ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= max_queue_) {
      if (!stopping_) rejected_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    queue_.push_back({std::move(task), since});
  }
  cv_.notify_one();
  return true;
}

void WorkerPool::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

size_t WorkerPool::queue_depth() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void WorkerPool::run() {
  for (;;) {
    Queued queued;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to do
      queued = std::move(queue_.front());
      queue_.pop_front();
    }
    if (wait_ != nullptr) {
      wait_->observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - queued.since).count());
    }
    auto& task = queued.task;
    try {
      task();
    } catch (...) {  // NOLINT(bugprone-empty-catch): a worker must outlive a bad task
    }
  }
}

}  // namespace keyward::http
