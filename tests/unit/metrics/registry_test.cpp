#include "metrics/registry.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>
#include <vector>

namespace keyward::metrics {
namespace {

TEST(Registry, RendersHelpTypeAndSamplesInRegistrationOrder) {
  Registry r;
  r.counter("a_total", "Things.", {{"kind", "x"}}).inc(3);
  r.gauge("b", "A level.").set(2.5);
  r.counter("a_total", "Things.", {{"kind", "y"}}).inc();
  EXPECT_EQ(r.render(),
            "# HELP a_total Things.\n"
            "# TYPE a_total counter\n"
            "a_total{kind=\"x\"} 3\n"
            "a_total{kind=\"y\"} 1\n"
            "# HELP b A level.\n"
            "# TYPE b gauge\n"
            "b 2.5\n");
}

TEST(Registry, EscapesLabelValuesAndHelp) {
  Registry r;
  r.counter("c_total", "Line one\nback\\slash \"quotes\" stay", {{"v", "a\"b\\c\nd"}});
  EXPECT_EQ(r.render(),
            "# HELP c_total Line one\\nback\\\\slash \"quotes\" stay\n"
            "# TYPE c_total counter\n"
            "c_total{v=\"a\\\"b\\\\c\\nd\"} 0\n");
}

TEST(Registry, HistogramIsCumulativeWithInfSumAndCount) {
  Registry r;
  auto& h = r.histogram("d_seconds", "Durations.", {0.1, 1}, {{"route", "/x"}});
  h.observe(0.05);
  h.observe(0.1);  // on the bound: in that bucket (le is "less or equal")
  h.observe(0.5);
  h.observe(7);
  EXPECT_EQ(r.render(),
            "# HELP d_seconds Durations.\n"
            "# TYPE d_seconds histogram\n"
            "d_seconds_bucket{route=\"/x\",le=\"0.1\"} 2\n"
            "d_seconds_bucket{route=\"/x\",le=\"1\"} 3\n"
            "d_seconds_bucket{route=\"/x\",le=\"+Inf\"} 4\n"
            "d_seconds_sum{route=\"/x\"} 7.65\n"
            "d_seconds_count{route=\"/x\"} 4\n");
}

TEST(Registry, CallbacksAreReadAtScrape) {
  Registry r;
  double level = 1;
  r.callback(Type::Gauge, "e", "Read late.", {}, [&] { return level; });
  level = 42;
  EXPECT_NE(r.render().find("\ne 42\n"), std::string::npos);
}

TEST(Registry, CollectorWritesLabelSetsKnownAtScrape) {
  Registry r;
  r.collector(Type::Counter, "f_total", "Dynamic.", [](FamilyWriter& w) {
    w.sample({{"status", "200"}}, 5);
    w.sample({{"status", "404"}}, 1);
  });
  EXPECT_EQ(r.render(),
            "# HELP f_total Dynamic.\n# TYPE f_total counter\n"
            "f_total{status=\"200\"} 5\nf_total{status=\"404\"} 1\n");
}

TEST(Registry, RefusesWhatPrometheusWouldReject) {
  Registry r;
  EXPECT_THROW(r.counter("0bad", "x"), std::logic_error);
  EXPECT_THROW(r.counter("bad-name", "x"), std::logic_error);
  EXPECT_THROW(r.counter("ok_total", "x", {{"__reserved", "v"}}), std::logic_error);
  EXPECT_THROW(r.counter("ok_total", "x", {{"a", "1"}, {"a", "2"}}), std::logic_error);
  EXPECT_THROW(r.histogram("h", "x", {1, 2}, {{"le", "1"}}), std::logic_error);
  EXPECT_THROW(r.histogram("h2", "x", {2, 1}), std::invalid_argument);
  r.counter("dup_total", "x", {{"a", "1"}});
  EXPECT_THROW(r.counter("dup_total", "x", {{"a", "1"}}), std::logic_error);
  EXPECT_THROW(r.gauge("dup_total", "x", {{"a", "2"}}), std::logic_error);
  EXPECT_THROW(r.counter("dup_total", "other help", {{"a", "3"}}), std::logic_error);
  EXPECT_NO_THROW(r.counter("dup_total", "x", {{"a", "2"}}));
  EXPECT_NO_THROW(r.counter("ns:ok_total", "x"));
}

TEST(Format, Values) {
  EXPECT_EQ(format_value(0), "0");
  EXPECT_EQ(format_value(12345678901234), "12345678901234");
  EXPECT_EQ(format_value(0.005), "0.005");
  EXPECT_EQ(format_value(0.0005), "0.0005");
  EXPECT_EQ(format_value(1e-9), "1e-09");
  EXPECT_EQ(format_value(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(format_value(-1.5), "-1.5");
  EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_value(std::nan("")), "NaN");
  EXPECT_EQ(format_value(1e300), "1e+300");
}

TEST(Histogram, CountEqualsInfBucketUnderConcurrentObservation) {
  Histogram h(latency_buckets());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&h] {
      for (int i = 0; i < 10000; ++i) h.observe(0.001 * (i % 50));
    });
  }
  for (int i = 0; i < 20; ++i) {
    const auto s = h.snapshot();
    for (size_t b = 1; b < s.cumulative.size(); ++b)
      ASSERT_LE(s.cumulative[b - 1], s.cumulative[b]);
  }
  for (auto& t : threads) t.join();
  const auto s = h.snapshot();
  EXPECT_EQ(s.count(), 40000u);
  EXPECT_NEAR(s.sum, 4 * 200 * (0.001 * 49 * 50 / 2), 1e-6);
}

}  // namespace
}  // namespace keyward::metrics
