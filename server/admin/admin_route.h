#pragma once
// What every admin route shares: the Bearer token check and the scope of the route's part
// (401/403 problems with WWW-Authenticate), the change log line naming the acting client,
// and the paging and filter query parameters.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/router.h"
#include "operations/page.h"
#include "server/admin/admin_api.h"
#include "server/admin/json_body.h"
#include "server/admin/problem.h"

namespace keyward::server::admin {

using AdminHandler =
    std::function<http::HttpResponse(const http::HttpRequest&, const AdminCaller&, AdminApi&)>;

// Registers `path` (under kAdminPrefix) for `method`, on the worker pool, behind the check.
void add_admin_route(http::Router& router, const std::shared_ptr<AdminApi>& api,
                     http::Method method, std::string_view path, AdminPart part,
                     AdminHandler handler);

// One JSON line per change: {"msg":"admin change","client_id":<acting client>,"action":…,
// "target":…, "changed":[field names]}; never a value that could be a secret.
void log_change(AdminApi& api, const AdminCaller& caller, std::string_view action,
                std::string_view target, const std::vector<std::string>& changed = {});

// The acting party of a change, for the audit events the operations report:
// "admin:<client_id>" with the request's address and id.
[[nodiscard]] operations::Actor admin_actor(const http::HttpRequest& request,
                                            const AdminCaller& caller);

// 403 insufficient-scope naming kAdminScope: the caller may not grant or touch admin power
// (AdminAccess::may_manage).
[[nodiscard]] http::HttpResponse admin_power_refused(std::string_view detail);

// 200 application/json with Cache-Control: no-store.
[[nodiscard]] http::HttpResponse json_answer(int status, const nlohmann::ordered_json& doc);

// The query parameters `allowed` (each at most once; others refused), with `limit`
// (1..200, default 50) and `cursor` read into a PageRequest.
struct ListQuery {
  operations::PageRequest page;
  std::map<std::string, std::string, std::less<>> filters;
};
[[nodiscard]] std::variant<ListQuery, http::HttpResponse> read_list_query(
    const http::HttpRequest& request, const std::vector<std::string_view>& filters);

// {"items": [...], "next_cursor": "...", "next": "<path>?limit=…&cursor=…"} (the two
// last only when there is a next page).
template <class T, class Describe>
[[nodiscard]] http::HttpResponse page_answer(const http::HttpRequest& request,
                                             const operations::Page<T>& page,
                                             const ListQuery& query, Describe describe);

[[nodiscard]] std::string next_link(const http::HttpRequest& request, const ListQuery& query,
                                    const std::string& cursor);

template <class T, class Describe>
http::HttpResponse page_answer(const http::HttpRequest& request, const operations::Page<T>& page,
                               const ListQuery& query, Describe describe) {
  nlohmann::ordered_json doc;
  auto items = nlohmann::ordered_json::array();
  for (const auto& item : page.items) items.push_back(describe(item));
  doc["items"] = std::move(items);
  if (page.next_cursor) {
    doc["next_cursor"] = *page.next_cursor;
    doc["next"] = next_link(request, query, *page.next_cursor);
  }
  return json_answer(200, doc);
}

// A body read with read_json_body, or the problem it answered.
#define KEYWARD_ADMIN_BODY(var, request, ...)                                        \
  auto var##_read = read_json_body(request, __VA_ARGS__);                            \
  if (auto* refused = std::get_if<http::HttpResponse>(&var##_read)) return *refused; \
  const nlohmann::json& var = std::get<nlohmann::json>(var##_read);

}  // namespace keyward::server::admin
