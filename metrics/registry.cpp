#include "metrics/registry.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <stdexcept>

namespace keyward::metrics {

namespace {

std::string_view type_name(Type type) {
  switch (type) {
    case Type::Counter:
      return "counter";
    case Type::Gauge:
      return "gauge";
    case Type::Histogram:
      return "histogram";
  }
  return "untyped";
}

bool name_char(char c, bool first, bool colon) {
  const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  if (letter || (colon && c == ':')) return true;
  return !first && c >= '0' && c <= '9';
}

bool valid_name(std::string_view name, bool colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!name_char(name[i], i == 0, colon)) return false;
  }
  return true;
}

std::string label_key(const Labels& labels) {
  std::string key;
  for (const auto& [n, v] : labels) {
    key += n;
    key += '\0';
    key += v;
    key += '\0';
  }
  return key;
}

void append_labels(std::string& out, const Labels& labels, std::string_view le = {}) {
  if (labels.empty() && le.empty()) return;
  out += '{';
  bool first = true;
  for (const auto& [n, v] : labels) {
    if (!first) out += ',';
    first = false;
    out += n;
    out += "=\"";
    out += escape_label_value(v);
    out += '"';
  }
  if (!le.empty()) {
    if (!first) out += ',';
    out += "le=\"";
    out += le;
    out += '"';
  }
  out += '}';
}

class TextWriter final : public FamilyWriter {
 public:
  TextWriter(std::string& out, std::string_view name, Type type)
      : out_(out), name_(name), type_(type) {}

  void sample(const Labels& labels, double value) override {
    if (type_ == Type::Histogram) throw std::logic_error("a plain sample in a histogram family");
    out_ += name_;
    append_labels(out_, labels);
    out_ += ' ';
    out_ += format_value(value);
    out_ += '\n';
  }

  void histogram(const Labels& labels, const Histogram::Snapshot& s) override {
    if (type_ != Type::Histogram)
      throw std::logic_error("a histogram in a " + std::string(type_name(type_)) + " family");
    for (size_t i = 0; i < s.cumulative.size(); ++i) {
      out_ += name_;
      out_ += "_bucket";
      append_labels(out_, labels, i < s.bounds.size() ? format_value(s.bounds[i]) : "+Inf");
      out_ += ' ';
      out_ += std::to_string(s.cumulative[i]);
      out_ += '\n';
    }
    out_ += name_;
    out_ += "_sum";
    append_labels(out_, labels);
    out_ += ' ';
    out_ += format_value(s.sum);
    out_ += '\n';
    out_ += name_;
    out_ += "_count";
    append_labels(out_, labels);
    out_ += ' ';
    out_ += std::to_string(s.count());
    out_ += '\n';
  }

 private:
  std::string& out_;
  std::string_view name_;
  Type type_;
};

void check_labels(const Labels& labels, Type type) {
  std::set<std::string_view> seen;
  for (const auto& [n, v] : labels) {
    if (!valid_label_name(n) || (type == Type::Histogram && n == "le") || !seen.insert(n).second) {
      throw std::logic_error("bad label name: " + n);
    }
  }
}

}  // namespace

struct Registry::Family {
  Type type;
  std::string name;
  std::string help;
  std::set<std::string> label_sets;  // of the members registered with fixed labels
  std::vector<Collect> members;
  // Storage for what counter()/gauge()/histogram() hand out.
  std::vector<std::unique_ptr<Counter>> counters;
  std::vector<std::unique_ptr<Gauge>> gauges;
  std::vector<std::unique_ptr<Histogram>> histograms;
};

Registry::Registry() = default;
Registry::~Registry() = default;

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)) {
  for (size_t i = 0; i < bounds_.size(); ++i) {
    if (!std::isfinite(bounds_[i]) || (i > 0 && bounds_[i] <= bounds_[i - 1])) {
      throw std::invalid_argument("histogram bounds must be finite and increasing");
    }
  }
  buckets_ = std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1);
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double value) noexcept {
  // Few buckets: a linear scan beats a binary search's branches.
  size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.bounds = bounds_;
  s.cumulative.resize(bounds_.size() + 1);
  std::uint64_t total = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    total += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative[i] = total;
  }
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

std::vector<double> latency_buckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

Registry::Family& Registry::family(Type type, std::string_view name, std::string_view help,
                                   const Labels* labels) {
  if (!valid_metric_name(name)) throw std::logic_error("bad metric name: " + std::string(name));
  if (labels != nullptr) check_labels(*labels, type);
  Family* found = nullptr;
  for (auto& f : families_) {
    if (f->name != name) continue;
    if (f->type != type || f->help != help) {
      throw std::logic_error("metric registered twice with another type or help: " +
                             std::string(name));
    }
    found = f.get();
  }
  if (found == nullptr) {
    families_.push_back(std::make_unique<Family>());
    found = families_.back().get();
    found->type = type;
    found->name = std::string(name);
    found->help = std::string(help);
  }
  if (labels != nullptr && !found->label_sets.insert(label_key(*labels)).second) {
    throw std::logic_error("metric registered twice with the same labels: " + std::string(name));
  }
  return *found;
}

Counter& Registry::counter(std::string_view name, std::string_view help, Labels labels) {
  std::lock_guard lock(mutex_);
  Family& f = family(Type::Counter, name, help, &labels);
  f.counters.push_back(std::make_unique<Counter>());
  const Counter* c = f.counters.back().get();
  f.members.push_back([c, labels = std::move(labels)](FamilyWriter& w) {
    w.sample(labels, static_cast<double>(c->value()));
  });
  return *f.counters.back();
}

Gauge& Registry::gauge(std::string_view name, std::string_view help, Labels labels) {
  std::lock_guard lock(mutex_);
  Family& f = family(Type::Gauge, name, help, &labels);
  f.gauges.push_back(std::make_unique<Gauge>());
  const Gauge* g = f.gauges.back().get();
  f.members.push_back(
      [g, labels = std::move(labels)](FamilyWriter& w) { w.sample(labels, g->value()); });
  return *f.gauges.back();
}

Histogram& Registry::histogram(std::string_view name, std::string_view help,
                               std::vector<double> bounds, Labels labels) {
  std::lock_guard lock(mutex_);
  Family& f = family(Type::Histogram, name, help, &labels);
  f.histograms.push_back(std::make_unique<Histogram>(std::move(bounds)));
  const Histogram* h = f.histograms.back().get();
  f.members.push_back(
      [h, labels = std::move(labels)](FamilyWriter& w) { w.histogram(labels, h->snapshot()); });
  return *f.histograms.back();
}

void Registry::callback(Type type, std::string_view name, std::string_view help, Labels labels,
                        std::function<double()> read) {
  if (type == Type::Histogram) throw std::logic_error("a histogram cannot be a callback");
  std::lock_guard lock(mutex_);
  Family& f = family(type, name, help, &labels);
  f.members.push_back([read = std::move(read), labels = std::move(labels)](FamilyWriter& w) {
    w.sample(labels, read());
  });
}

void Registry::collector(Type type, std::string_view name, std::string_view help, Collect collect) {
  std::lock_guard lock(mutex_);
  family(type, name, help, nullptr).members.push_back(std::move(collect));
}

std::string Registry::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  out.reserve(4096);
  for (const auto& f : families_) {
    out += "# HELP ";
    out += f->name;
    out += ' ';
    out += escape_help(f->help);
    out += "\n# TYPE ";
    out += f->name;
    out += ' ';
    out += type_name(f->type);
    out += '\n';
    TextWriter writer(out, f->name, f->type);
    for (const auto& member : f->members) member(writer);
  }
  return out;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (const char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Whole numbers (every counter) without an exponent, up to 2^53 where doubles stay exact.
  if (value == std::floor(value) && std::fabs(value) < 9007199254740992.0) {
    return std::to_string(static_cast<long long>(value));
  }
  // The shortest form that reads back exactly; plain decimals ("0.0005", as bucket bounds
  // are usually written) unless the value is tiny or huge.
  char buf[400];
  const double magnitude = std::fabs(value);
  const auto r = magnitude >= 1e-6 && magnitude < 1e15
                     ? std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed)
                     : std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, r.ptr);
}

bool valid_metric_name(std::string_view name) {
  return valid_name(name, /*colon=*/true);
}

bool valid_label_name(std::string_view name) {
  return valid_name(name, /*colon=*/false) && !name.starts_with("__");
}

}  // namespace keyward::metrics
