#pragma once
// Where `keyward client|user|keys …` report the changes they make (audit/event.h): the
// operations report them as done by the actor "cli".
#include "audit/event.h"
#include "server/config.h"
#include "storage/database.h"

namespace keyward::cli {

// The sink of a command run against `database`: each event is stored at once, one INSERT
// (a command makes a handful of changes, and a process about to exit must not hold them
// in a queue); a failure to store one is a warning on stderr, the command goes on (its
// change is done). Records nothing with KEYWARD_EVENTS=off. Valid until the next call;
// `database` must outlive the operations that report to it.
[[nodiscard]] audit::EventSink& command_events(const server::Config& config,
                                               storage::Database& database);

}  // namespace keyward::cli
