#pragma once
// The janitor inside `keyward serve`: one run shortly after start, then one per
// interval, each with a little jitter so instances started together do not all wake at
// once (the advisory lock makes all but one skip anyway). Counts go to the log.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/log.h"
#include "storage/database.h"
#include "storage/janitor.h"

namespace keyward::server {

struct JanitorScheduleOptions {
  std::chrono::seconds first_delay{60};
  std::chrono::seconds interval{600};  // KEYWARD_JANITOR_INTERVAL
  storage::JanitorOptions janitor;     // event_retention from KEYWARD_EVENT_RETENTION
};

class JanitorSchedule {
 public:
  // The database and logger must outlive the schedule.
  JanitorSchedule(storage::Database& database, Logger& logger, JanitorScheduleOptions options = {});
  ~JanitorSchedule();
  JanitorSchedule(const JanitorSchedule&) = delete;
  JanitorSchedule& operator=(const JanitorSchedule&) = delete;

  // Wakes the thread and joins it; a run in progress finishes its current statement.
  // Idempotent.
  void stop();

 private:
  void run();

  storage::Janitor janitor_;
  Logger& logger_;
  const JanitorScheduleOptions options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace keyward::server
