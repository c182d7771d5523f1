#pragma once
// `keyward janitor`: one housekeeping run by hand (storage/janitor.h), the same one
// `keyward serve` runs on a schedule. Prints what it deleted per table, or that another
// instance's janitor is running.
#include <span>
#include <string_view>

#include "server/config.h"

namespace keyward::cli {

inline constexpr std::string_view kJanitorUsage = "usage: keyward janitor\n";

// Returns the exit code: 0 done (or skipped: another instance holds the lock), 1 the
// database failed, 2 bad usage or configuration.
[[nodiscard]] int run_janitor_command(const server::Config& config,
                                      std::span<const std::string_view> args);

}  // namespace keyward::cli
