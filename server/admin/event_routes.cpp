// /admin/v1/events (the audit events, newest first, paged, with the filters of
// `keyward events`) and /admin/v1/stats (the figures of `keyward stats`), through
// operations::EventOperations; under keyward:admin:events (or keyward:admin).
#include "server/admin/event_routes.h"

#include <charconv>

#include "server/admin/admin_route.h"

namespace keyward::server::admin {

namespace {

using http::HttpRequest;
using http::HttpResponse;

HttpResponse list(const HttpRequest& request, const AdminCaller&, AdminApi& api) {
  auto read = read_list_query(request, {"user", "client", "type", "since", "until"});
  if (auto* refused = std::get_if<HttpResponse>(&read)) return *refused;
  auto& query = std::get<ListQuery>(read);
  const auto filter = [&](std::string_view name) -> std::optional<std::string> {
    if (auto it = query.filters.find(name); it != query.filters.end()) return it->second;
    return std::nullopt;
  };
  operations::EventQuery events;
  events.user = filter("user");
  events.client_id = filter("client");
  events.type = filter("type");
  const TimePoint now = api.clock.now();
  for (const auto& [name, bound] :
       {std::pair{"since", &events.since}, std::pair{"until", &events.until}}) {
    if (auto text = filter(name)) {
      auto t = operations::parse_time_bound(*text, now, name);
      if (!t.ok()) return problem_for(t.error());
      *bound = *t;
      // The next link carries the bound as the time it meant now: a relative one ("1h")
      // would be read against a later now on the next page and skip events at the edge.
      query.filters[name] = operations::event_time(*t);
    }
  }
  auto page = api.events.list(events, query.page);
  if (!page.ok()) return problem_for(page.error());
  return page_answer(request, *page, query, operations::describe_event);
}

HttpResponse stats(const HttpRequest& request, const AdminCaller&, AdminApi& api) {
  int days = operations::kDefaultStatsDays;
  for (const auto& param : request.query.items()) {
    if (param.name != "days") {
      return problem(400, "invalid-request", "unknown query parameter",
                     {{param.name, "unknown query parameter"}});
    }
    if (request.query.count(param.name) > 1) {
      return problem(400, "invalid-request", "days is given more than once",
                     {{"days", "given more than once"}});
    }
    const auto& text = param.value;
    int n = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) n = 0;
    days = n;
  }
  auto figures = api.events.stats(days, api.clock.now());
  if (!figures.ok()) return problem_for(figures.error());
  return json_answer(200, operations::describe_stats(*figures));
}

}  // namespace

void add_event_routes(http::Router& router, const std::shared_ptr<AdminApi>& api) {
  add_admin_route(router, api, http::Method::Get, "/events", AdminPart::Events, list);
  add_admin_route(router, api, http::Method::Get, "/stats", AdminPart::Events, stats);
}

}  // namespace keyward::server::admin
