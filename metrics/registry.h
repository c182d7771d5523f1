#pragma once
// Prometheus metrics (text exposition format 0.0.4) without a client library: Debian ships
// none for C++. Counters, gauges and fixed-bucket histograms are plain atomics updated with
// relaxed ordering, so recording costs a few uncontended instructions and never locks or
// allocates; their label sets are fixed when they are registered. What is only known at
// scrape time (a pool's size, a process's RSS, labels that appear as traffic does) is read
// by a callback or a collector then. Rendering takes the registry's lock; recording never does.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keyward::metrics {

// Label names and values in the order they are rendered.
using Labels = std::vector<std::pair<std::string, std::string>>;

enum class Type { Counter, Gauge, Histogram };

class Counter {
 public:
  void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t value() const noexcept {
    return value_.load(std::memory_order_relaxed);
  }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
  void add(double v) noexcept { value_.fetch_add(v, std::memory_order_relaxed); }
  [[nodiscard]] double value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Observations counted in fixed buckets: bucket i holds those <= bounds[i] (and above the
// bound before it), the last one those above every bound. Rendering makes them cumulative
// and takes _count as their total, so the +Inf bucket always equals _count even while other
// threads observe.
class Histogram {
 public:
  // Strictly increasing finite bounds; throws std::invalid_argument otherwise.
  explicit Histogram(std::vector<double> bounds);
  void observe(double value) noexcept;

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<std::uint64_t> cumulative;  // one per bound, then the +Inf bucket
    double sum = 0;
    [[nodiscard]] std::uint64_t count() const { return cumulative.empty() ? 0 : cumulative.back(); }
  };
  [[nodiscard]] Snapshot snapshot() const;
  [[nodiscard]] const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<double> sum_{0};
};

// Latency buckets in seconds, from half a millisecond to ten seconds.
[[nodiscard]] std::vector<double> latency_buckets();

// What a collector writes while one family is rendered: samples of that family only.
class FamilyWriter {
 public:
  // A counter's or gauge's value.
  virtual void sample(const Labels& labels, double value) = 0;
  // A histogram's buckets, _sum and _count (only in a histogram family).
  virtual void histogram(const Labels& labels, const Histogram::Snapshot& snapshot) = 0;

 protected:
  ~FamilyWriter() = default;
};
using Collect = std::function<void(FamilyWriter&)>;

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Registering a name again with the same type and help adds a member to its family;
  // with another type or help, a bad name or label name, or a label set the family already
  // has, throws std::logic_error (a programming error, found at start-up). The returned
  // references live as long as the registry.
  Counter& counter(std::string_view name, std::string_view help, Labels labels = {});
  Gauge& gauge(std::string_view name, std::string_view help, Labels labels = {});
  Histogram& histogram(std::string_view name, std::string_view help, std::vector<double> bounds,
                       Labels labels = {});
  // A value read when scraped: a size, an age, a counter kept by someone else.
  void callback(Type type, std::string_view name, std::string_view help, Labels labels,
                std::function<double()> read);
  // Samples whose label sets are only known at scrape time. `collect` runs under the
  // registry's lock: it must not register anything.
  void collector(Type type, std::string_view name, std::string_view help, Collect collect);

  // The text exposition format 0.0.4, families in the order they were first registered.
  [[nodiscard]] std::string render() const;

 private:
  struct Family;
  Family& family(Type type, std::string_view name, std::string_view help, const Labels* labels);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Family>> families_;
};

// "text/plain; version=0.0.4; charset=utf-8"
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

// Exposition-format pieces, public for tests.
[[nodiscard]] std::string escape_label_value(std::string_view value);
[[nodiscard]] std::string escape_help(std::string_view help);
[[nodiscard]] std::string format_value(double value);
[[nodiscard]] bool valid_metric_name(std::string_view name);
[[nodiscard]] bool valid_label_name(std::string_view name);

}  // namespace keyward::metrics
