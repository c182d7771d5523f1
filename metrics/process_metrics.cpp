#include "metrics/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

namespace keyward::metrics {

namespace {

std::string read_file(const char* path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

double boot_time() {
  std::istringstream in(read_file("/proc/stat"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("btime ")) return std::stod(line.substr(6));
  }
  return 0;
}

double open_fds() {
  std::error_code ec;
  double n = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++n;
  }
  return n;
}

ProcessFigures read_figures() {
  static const double kBootTime = boot_time();
  auto figures = parse_proc_stat(read_file("/proc/self/stat"), kBootTime, sysconf(_SC_CLK_TCK),
                                 sysconf(_SC_PAGESIZE))
                     .value_or(ProcessFigures{});
  figures.open_fds = open_fds();
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) figures.max_fds = static_cast<double>(limit.rlim_cur);
  return figures;
}

}  // namespace

std::optional<ProcessFigures> parse_proc_stat(std::string_view stat, double boot_time, long ticks,
                                              long page_size) {
  const auto close = stat.rfind(')');
  if (close == std::string_view::npos || ticks <= 0) return std::nullopt;
  // Fields after the name, numbered as in proc(5): 3 state, ... 14 utime, 15 stime,
  // 22 starttime, 23 vsize, 24 rss.
  std::istringstream in{std::string(stat.substr(close + 1))};
  std::vector<std::string> fields;
  for (std::string f; in >> f;) fields.push_back(f);
  if (fields.size() < 22) return std::nullopt;
  auto field = [&](size_t n) { return std::stod(fields[n - 3]); };
  try {
    ProcessFigures p;
    p.cpu_seconds = (field(14) + field(15)) / static_cast<double>(ticks);
    p.start_time_seconds = boot_time + field(22) / static_cast<double>(ticks);
    p.virtual_bytes = field(23);
    p.resident_bytes = field(24) * static_cast<double>(page_size);
    return p;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void add_process_metrics(Registry& registry) {
  // One read of /proc per scrape feeds every family: the first family's collector reads,
  // the others use what it read (render() runs the families in order, under one lock).
  auto last = std::make_shared<ProcessFigures>();
  auto family = [&](Type type, std::string_view name, std::string_view help, bool reads,
                    double ProcessFigures::*member) {
    registry.collector(type, name, help, [last, reads, member](FamilyWriter& w) {
      if (reads) *last = read_figures();
      w.sample({}, (*last).*member);
    });
  };
  family(Type::Counter, "process_cpu_seconds_total",
         "Total user and system CPU time spent in seconds.", true, &ProcessFigures::cpu_seconds);
  family(Type::Gauge, "process_resident_memory_bytes", "Resident memory size in bytes.", false,
         &ProcessFigures::resident_bytes);
  family(Type::Gauge, "process_virtual_memory_bytes", "Virtual memory size in bytes.", false,
         &ProcessFigures::virtual_bytes);
  family(Type::Gauge, "process_open_fds", "Number of open file descriptors.", false,
         &ProcessFigures::open_fds);
  family(Type::Gauge, "process_max_fds", "Maximum number of open file descriptors.", false,
         &ProcessFigures::max_fds);
  family(Type::Gauge, "process_start_time_seconds",
         "Start time of the process since unix epoch in seconds.", false,
         &ProcessFigures::start_time_seconds);
}

}  // namespace keyward::metrics
