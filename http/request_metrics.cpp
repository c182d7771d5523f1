#include "http/request_metrics.h"

#include <iterator>

#include "http/router.h"

namespace keyward::http {

namespace {
// One column per Method, and a last one (kOtherMethodName) for methods that are none of them.
constexpr size_t kMethods = std::size(kAllMethods) + 1;
constexpr size_t kOtherMethod = kMethods - 1;

size_t method_index(const HttpRequest& request) {
  if (!request.known_method) return kOtherMethod;
  for (size_t i = 0; i < std::size(kAllMethods); ++i) {
    if (kAllMethods[i] == request.method) return i;
  }
  return kOtherMethod;
}

std::string_view method_label(size_t index) {
  return index == kOtherMethod ? kOtherMethodName : method_name(kAllMethods[index]);
}
}  // namespace

RequestMetrics::RequestMetrics(metrics::Registry& registry, const Router& router)
    : paths_(router.paths()) {
  paths_.emplace_back(kUnmatchedRouteName);
  cells_.reserve(paths_.size() * kMethods);
  for (size_t i = 0; i < paths_.size() * kMethods; ++i) {
    cells_.push_back(std::make_unique<Cell>(metrics::latency_buckets()));
  }
  registry.collector(metrics::Type::Counter, "keyward_http_requests_total",
                     "HTTP requests answered, by route template, method and status.",
                     [this](metrics::FamilyWriter& w) { collect_requests(w); });
  registry.collector(metrics::Type::Histogram, "keyward_http_request_duration_seconds",
                     "Time from reading a request to handing its answer to the reactor, by "
                     "route template and method.",
                     [this](metrics::FamilyWriter& w) { collect_durations(w); });
}

void RequestMetrics::observe(const HttpRequest& request, int status,
                             std::chrono::steady_clock::duration elapsed) noexcept {
  const size_t path =
      request.route_index < paths_.size() - 1 ? request.route_index : paths_.size() - 1;
  Cell& cell = *cells_[path * kMethods + method_index(request)];
  cell.duration.observe(std::chrono::duration<double>(elapsed).count());
  for (auto& slot : cell.statuses) {
    int seen = slot.status.load(std::memory_order_relaxed);
    if (seen == 0 && slot.status.compare_exchange_strong(seen, status, std::memory_order_relaxed)) {
      seen = status;
    }
    if (seen == status) {
      slot.count.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
  cell.other_status.fetch_add(1, std::memory_order_relaxed);
}

const std::string& RequestMetrics::route_name(size_t path_index) const {
  return paths_[path_index];
}

void RequestMetrics::collect_requests(metrics::FamilyWriter& w) const {
  for (size_t i = 0; i < cells_.size(); ++i) {
    const Cell& cell = *cells_[i];
    const auto& route = route_name(i / kMethods);
    const std::string method(method_label(i % kMethods));
    for (const auto& slot : cell.statuses) {
      const int status = slot.status.load(std::memory_order_relaxed);
      if (status == 0) continue;
      w.sample({{"route", route}, {"method", method}, {"status", std::to_string(status)}},
               static_cast<double>(slot.count.load(std::memory_order_relaxed)));
    }
    if (const auto other = cell.other_status.load(std::memory_order_relaxed); other > 0) {
      w.sample({{"route", route}, {"method", method}, {"status", "other"}},
               static_cast<double>(other));
    }
  }
}

void RequestMetrics::collect_durations(metrics::FamilyWriter& w) const {
  for (size_t i = 0; i < cells_.size(); ++i) {
    auto snapshot = cells_[i]->duration.snapshot();
    if (snapshot.count() == 0) continue;  // the paths x methods never asked for stay quiet
    w.histogram(
        {{"route", route_name(i / kMethods)}, {"method", std::string(method_label(i % kMethods))}},
        snapshot);
  }
}

}  // namespace keyward::http
