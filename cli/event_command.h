#pragma once
// `keyward events` and `keyward stats`: the audit trail and its daily statistics
// (docs/observability.md "Audit events"), over operations/event_operations.h like
// /admin/v1/events and /admin/v1/stats.
#include <ostream>
#include <string>
#include <vector>

#include "server/config.h"

namespace keyward::cli {

extern const char* const kEventsUsage;
extern const char* const kStatsUsage;

// Exit code: 0 done, 1 the operation failed (database, no such user), 2 bad usage or
// configuration.
[[nodiscard]] int run_events_command(const std::vector<std::string>& args,
                                     const server::EnvGetter& env, std::ostream& out,
                                     std::ostream& err);
[[nodiscard]] int run_stats_command(const std::vector<std::string>& args,
                                    const server::EnvGetter& env, std::ostream& out,
                                    std::ostream& err);

}  // namespace keyward::cli
