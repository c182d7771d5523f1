#include "metrics/process_metrics.h"

#include <gtest/gtest.h>

namespace keyward::metrics {
namespace {

TEST(ProcStat, ReadsTheFieldsAfterTheLastParenthesis) {
  // A command name with spaces and a ')' of its own, as Linux writes it.
  const std::string stat =
      "4242 (a) b (c)) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 7 0 "
      "1000 123456789 2048 18446744073709551615";
  const auto p = parse_proc_stat(stat, 1700000000, 100, 4096);
  ASSERT_TRUE(p.has_value());
  EXPECT_DOUBLE_EQ(p->cpu_seconds, 3.0);
  EXPECT_DOUBLE_EQ(p->start_time_seconds, 1700000010.0);
  EXPECT_DOUBLE_EQ(p->virtual_bytes, 123456789.0);
  EXPECT_DOUBLE_EQ(p->resident_bytes, 2048.0 * 4096);
}

TEST(ProcStat, RefusesWhatIsNotAStatLine) {
  EXPECT_FALSE(parse_proc_stat("", 0, 100, 4096).has_value());
  EXPECT_FALSE(parse_proc_stat("1 (x) S 1 2", 0, 100, 4096).has_value());
}

TEST(ProcessMetrics, ThisProcessHasResidentMemoryAndOpenFiles) {
  Registry r;
  add_process_metrics(r);
  const auto text = r.render();
  EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter\n"), std::string::npos);
  EXPECT_EQ(text.find("process_resident_memory_bytes 0\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("process_open_fds 0\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("process_start_time_seconds 0\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace keyward::metrics
