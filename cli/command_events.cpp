#include "cli/command_events.h"

#include <chrono>
#include <cstdio>
#include <string>

#include "audit/event_writer.h"
#include "storage/event_repository.h"

namespace keyward::cli {
namespace {

class StoredEventSink final : public audit::EventSink {
 public:
  void bind(storage::Database& database) { database_ = &database; }

  void record(audit::Event event) noexcept override {
    if (database_ == nullptr) return;
    try {
      if (event.at == std::chrono::system_clock::time_point{}) {
        event.at = std::chrono::system_clock::now();
      }
      storage::EventRepository repository(*database_);
      auto stored = repository.insert_batch({audit::to_record(event)});
      if (!stored.ok()) {
        std::fprintf(stderr, "keyward: warning: the audit event %s was not stored: %s\n",
                     std::string(audit::type_name(event.type)).c_str(),
                     stored.error().message.c_str());
      }
    } catch (...) {  // NOLINT(bugprone-empty-catch): an event never fails the command
    }
  }

 private:
  storage::Database* database_ = nullptr;
};

}  // namespace

audit::EventSink& command_events(const server::Config& config, storage::Database& database) {
  static audit::NullEventSink off;
  static StoredEventSink stored;
  if (!config.events) return off;
  stored.bind(database);
  return stored;
}

}  // namespace keyward::cli
