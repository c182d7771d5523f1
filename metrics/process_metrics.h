#pragma once
// The process's own figures, read from /proc/self when scraped, under the names every
// Prometheus client library uses (process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds, process_start_time_seconds),
// so stock dashboards and alerts work unchanged.
#include <optional>
#include <string_view>

#include "metrics/registry.h"

namespace keyward::metrics {

struct ProcessFigures {
  double cpu_seconds = 0;  // user + system
  double resident_bytes = 0;
  double virtual_bytes = 0;
  double start_time_seconds = 0;  // since the Unix epoch
  double open_fds = 0;
  double max_fds = 0;
};

// Parses /proc/<pid>/stat as Linux writes it (the command name may contain spaces and
// parentheses: the fields follow the last ')'); `boot_time` is /proc/stat's btime, `ticks`
// sysconf(_SC_CLK_TCK), `page_size` sysconf(_SC_PAGESIZE). nullopt when malformed.
[[nodiscard]] std::optional<ProcessFigures> parse_proc_stat(std::string_view stat, double boot_time,
                                                            long ticks, long page_size);

// Registers the process_* families; each scrape reads /proc/self (a missing file reads 0).
void add_process_metrics(Registry& registry);

}  // namespace keyward::metrics
