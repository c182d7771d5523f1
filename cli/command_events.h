#pragma once
// Where `keyward client|user|keys …` report the changes they make (audit/event.h): the
// operations report them as done by the actor "cli".
#include "audit/event.h"
#include "storage/database.h"

namespace keyward::cli {

// The sink for one command run against `database`; it outlives the command.
[[nodiscard]] audit::EventSink& command_events(storage::Database& database);

}  // namespace keyward::cli
