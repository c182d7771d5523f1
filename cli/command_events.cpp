#include "cli/command_events.h"

namespace keyward::cli {

// Nothing keeps the events yet (audit/event_writer.h is not composed here).
audit::EventSink& command_events(storage::Database& /*database*/) {
  static audit::NullEventSink sink;
  return sink;
}

}  // namespace keyward::cli
