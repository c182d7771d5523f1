#pragma once
// The EventSink of `keyward serve`: record() only queues the event (a bounded queue in
// memory, never a database call), and one background thread writes what is queued to the
// `events` table in batches (storage/event_repository.h), so a token request never waits
// on the audit trail. When the queue is full, or a batch still fails after its retries,
// events are dropped and counted: the trail is best-effort, the requests are not.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "audit/event.h"
#include "common/clock.h"
#include "common/log.h"
#include "storage/event_repository.h"

namespace keyward::audit {

struct EventWriterOptions {
  std::size_t capacity = 10000;                  // queued events; beyond, record() drops
  std::size_t batch_size = 500;                  // events per INSERT at most
  std::chrono::milliseconds max_delay{200};      // an event waits at most this for a batch
  int attempts = 4;                              // per batch, the first included
  std::chrono::milliseconds first_backoff{200};  // then ×4 per further attempt
  std::chrono::milliseconds stop_timeout{5000};  // stop()'s budget for what is queued
};

// What the writer has done since it started (h3's metrics export these).
struct EventWriterStats {
  std::uint64_t written = 0;               // events stored
  std::uint64_t dropped_queue_full = 0;    // refused by record(): the queue full (or stopped)
  std::uint64_t dropped_write_failed = 0;  // in a batch that failed every attempt, or left at stop
  std::uint64_t write_failures = 0;        // failed attempts (retried or not)
  std::size_t queue_depth = 0;             // queued now
  [[nodiscard]] std::uint64_t dropped() const { return dropped_queue_full + dropped_write_failed; }
};

class AsyncEventWriter final : public EventSink {
 public:
  // Starts the writing thread. The repository, clock and logger must outlive the writer.
  AsyncEventWriter(storage::EventRepository& events, const Clock& clock, Logger& logger,
                   EventWriterOptions options = {});
  ~AsyncEventWriter() override;
  AsyncEventWriter(const AsyncEventWriter&) = delete;
  AsyncEventWriter& operator=(const AsyncEventWriter&) = delete;

  // Queues the event (its `at` set from the clock when left at the epoch), or counts it
  // dropped when the queue is full. Never touches the database, never throws.
  void record(Event event) noexcept override;

  // Refuses new events, writes what is queued (at most options.stop_timeout; whatever is
  // left then is dropped and counted) and joins the thread. Idempotent.
  void stop();

  [[nodiscard]] EventWriterStats stats() const;

 private:
  void run();
  // Writes one batch with retries; returns whether it was stored.
  bool write(const std::vector<Event>& batch);
  void count_dropped(const std::vector<Event>& batch, std::string_view why) noexcept;

  storage::EventRepository& events_;
  const Clock& clock_;
  Logger& logger_;
  const EventWriterOptions options_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  struct Queued {
    Event event;
    std::chrono::steady_clock::time_point queued_at;
  };
  std::deque<Queued> queue_;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point stop_deadline_{};

  std::atomic<std::uint64_t> written_{0};
  std::atomic<std::uint64_t> dropped_queue_full_{0};
  std::atomic<std::uint64_t> dropped_write_failed_{0};
  std::atomic<std::uint64_t> write_failures_{0};
  std::thread thread_;
};

// An event as the repository stores it (detail as JSON text).
[[nodiscard]] storage::EventRecord to_record(const Event& event);

}  // namespace keyward::audit
