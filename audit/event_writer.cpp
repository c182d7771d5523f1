#include "audit/event_writer.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

namespace keyward::audit {

using SteadyClock = std::chrono::steady_clock;

storage::EventRecord to_record(const Event& event) {
  storage::EventRecord r;
  r.occurred_at = event.at;
  r.type = std::string(type_name(event.type));
  r.user_id = event.user_id;
  r.client_id = event.client_id;
  r.address = event.address;
  r.request_id = event.request_id;
  r.actor = event.actor;
  // An emitter's bad UTF-8 must not cost the event: replaced, never thrown.
  r.detail_json = event.detail.is_object()
                      ? event.detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                      : "{}";
  return r;
}

AsyncEventWriter::AsyncEventWriter(storage::EventRepository& events, const Clock& clock,
                                   Logger& logger, EventWriterOptions options)
    : events_(events), clock_(clock), logger_(logger), options_(options) {
  thread_ = std::thread([this] { run(); });
}

AsyncEventWriter::~AsyncEventWriter() {
  stop();
}

void AsyncEventWriter::record(Event event) noexcept {
  try {
    if (event.at == TimePoint{}) event.at = clock_.now();
    std::size_t depth = 0;
    {
      const std::lock_guard lock(mutex_);
      if (stopping_ || queue_.size() >= options_.capacity) {
        dropped_queue_full_.fetch_add(1, std::memory_order_relaxed);
        return;
      }
      queue_.push_back(Queued{std::move(event), SteadyClock::now()});
      depth = queue_.size();
    }
    // The first event starts the batch's clock; a full batch need not wait for it.
    if (depth == 1 || depth == options_.batch_size) wake_.notify_all();
  } catch (...) {
    // Out of memory copying the event: it is lost, and counted.
    dropped_queue_full_.fetch_add(1, std::memory_order_relaxed);
  }
}

void AsyncEventWriter::stop() {
  {
    const std::lock_guard lock(mutex_);
    if (!stopping_) {
      stopping_ = true;
      stop_deadline_ = SteadyClock::now() + options_.stop_timeout;
    }
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

EventWriterStats AsyncEventWriter::stats() const {
  EventWriterStats s;
  s.written = written_.load(std::memory_order_relaxed);
  s.dropped_queue_full = dropped_queue_full_.load(std::memory_order_relaxed);
  s.dropped_write_failed = dropped_write_failed_.load(std::memory_order_relaxed);
  s.write_failures = write_failures_.load(std::memory_order_relaxed);
  const std::lock_guard lock(mutex_);
  s.queue_depth = queue_.size();
  return s;
}

void AsyncEventWriter::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left
    if (!stopping_) {
      // A batch fills up, or its oldest event has waited max_delay.
      wake_.wait_until(lock, queue_.front().queued_at + options_.max_delay,
                       [&] { return stopping_ || queue_.size() >= options_.batch_size; });
    }
    std::vector<Event> batch;
    // An exception escaping this thread would std::terminate the whole server. Nothing here
    // is expected to throw but allocation (bad_alloc) or a bug: the batch is then dropped and
    // counted like one the database refused, and the thread carries on with the next.
    try {
      const std::size_t n = std::min(queue_.size(), options_.batch_size);
      batch.reserve(n);
      for (std::size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front().event));
        queue_.pop_front();
      }
      if (stopping_ && SteadyClock::now() >= stop_deadline_) {
        // stop()'s budget is spent: what is left is dropped, counted, not written.
        for (auto& q : queue_) batch.push_back(std::move(q.event));
        queue_.clear();
        lock.unlock();
        count_dropped(batch, "stopped before it could be written");
        return;
      }
      lock.unlock();
      if (!write(batch))
        count_dropped(batch,
                      "the database refused it until its retries (or stop()'s time) ran out");
    } catch (...) {
      if (lock.owns_lock()) lock.unlock();
      count_dropped(batch, "an unexpected error (out of memory?) while writing it");
    }
    lock.lock();
  }
}

bool AsyncEventWriter::write(const std::vector<Event>& batch) {
  std::vector<storage::EventRecord> records;
  records.reserve(batch.size());
  for (const auto& e : batch) records.push_back(to_record(e));
  auto backoff = options_.first_backoff;
  for (int attempt = 1;; ++attempt) {
    // A connection lost during the INSERT may have committed it: a retry may then store the
    // batch twice. Rare, and a duplicate in an audit trail beats a gap.
    auto written = events_.insert_batch(records);
    if (written.ok()) {
      written_.fetch_add(batch.size(), std::memory_order_relaxed);
      return true;
    }
    write_failures_.fetch_add(1, std::memory_order_relaxed);
    // Never the message: PostgreSQL may quote a value of an event in it.
    logger_.warn("cannot write audit events",
                 {{"events", batch.size()},
                  {"attempt", attempt},
                  {"error", std::string(storage::to_string(written.error().code))}});
    if (attempt >= options_.attempts) return false;
    // The backoff ends early only when stop()'s budget runs out (stop() may come during it).
    const auto retry_at = SteadyClock::now() + backoff;
    std::unique_lock lock(mutex_);
    for (;;) {
      const auto now = SteadyClock::now();
      if (stopping_ && now >= stop_deadline_) return false;
      if (now >= retry_at) break;
      wake_.wait_until(lock, stopping_ ? std::min(retry_at, stop_deadline_) : retry_at);
    }
    backoff *= 4;
  }
}

void AsyncEventWriter::count_dropped(const std::vector<Event>& batch,
                                     std::string_view why) noexcept {
  if (batch.empty()) return;
  dropped_write_failed_.fetch_add(batch.size(), std::memory_order_relaxed);
  try {
    // Types and counts only: never who, where or any detail.
    std::map<std::string_view, std::size_t> by_type;
    for (const auto& e : batch) ++by_type[type_name(e.type)];
    nlohmann::ordered_json types = nlohmann::ordered_json::object();
    for (const auto& [name, count] : by_type) types[std::string(name)] = count;
    logger_.error("audit events dropped",
                  {{"events", batch.size()}, {"reason", why}, {"types", types}});
  } catch (...) {  // NOLINT(bugprone-empty-catch): out of memory even to log; counted above
  }
}

}  // namespace keyward::audit
