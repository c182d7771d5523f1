#pragma once
// keyward_http_requests_total{route,method,status} and
// keyward_http_request_duration_seconds{route,method}: every request the service finishes,
// labelled by the route's path as registered (a template such as
// /admin/v1/clients/{client_id}, "unmatched" when no path matched) and method ("other" for
// a method none of http::Method's), never by the raw path or method token,
// so the label sets stay bounded and carry no ids, query strings or secrets.
//
// The cells (one per path and method) are laid out once, after every route is added; a
// request then costs a few relaxed atomic increments: no lock, no allocation, no lookup by
// name. Statuses get one of a few slots per cell on first use (compare-and-swap).
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "http/request.h"
#include "metrics/registry.h"

namespace keyward::http {

class Router;

// The route label of a request no route's path matched.
inline constexpr std::string_view kUnmatchedRouteName = "unmatched";

class RequestMetrics {
 public:
  // Lays out the cells for router.paths() and registers both families in `registry`. Call
  // once every route is added.
  RequestMetrics(metrics::Registry& registry, const Router& router);
  RequestMetrics(const RequestMetrics&) = delete;
  RequestMetrics& operator=(const RequestMetrics&) = delete;

  void observe(const HttpRequest& request, int status,
               std::chrono::steady_clock::duration elapsed) noexcept;

 private:
  // Distinct statuses counted per cell; beyond them (never seen in practice: a route answers
  // a handful) the count goes to status "other".
  static constexpr size_t kStatusSlots = 12;
  struct StatusSlot {
    std::atomic<int> status{0};  // 0: free
    std::atomic<std::uint64_t> count{0};
  };
  struct Cell {
    explicit Cell(std::vector<double> bounds) : duration(std::move(bounds)) {}
    metrics::Histogram duration;
    std::array<StatusSlot, kStatusSlots> statuses;
    std::atomic<std::uint64_t> other_status{0};
  };

  void collect_requests(metrics::FamilyWriter& w) const;
  void collect_durations(metrics::FamilyWriter& w) const;
  [[nodiscard]] const std::string& route_name(size_t path_index) const;

  std::vector<std::string> paths_;  // router.paths(), then "unmatched"
  // paths_.size() x (std::size(kAllMethods) + 1): the last method column is "other".
  std::vector<std::unique_ptr<Cell>> cells_;
};

}  // namespace keyward::http
