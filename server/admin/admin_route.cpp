#include "server/admin/admin_route.h"

#include <algorithm>
#include <charconv>

#include "common/text.h"
#include "http/form.h"

namespace keyward::server::admin {

namespace {

constexpr std::string_view kChallenge = "Bearer realm=\"keyward-admin\"";

// RFC 6750 §2.1 b64token.
bool is_b64token(std::string_view token) {
  size_t end = token.size();
  while (end > 0 && token[end - 1] == '=') --end;
  if (end == 0) return false;
  return std::all_of(token.begin(), token.begin() + static_cast<long>(end), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
  });
}

// RFC 6750 §3: 401 with the challenge; the error attribute only when a token was sent.
http::HttpResponse unauthorized(std::string_view detail, bool token_sent) {
  auto r = problem(401, token_sent ? "invalid-token" : "unauthorized", detail);
  std::string challenge(kChallenge);
  if (token_sent) challenge += ", error=\"invalid_token\"";
  r.headers.set("WWW-Authenticate", challenge);
  return r;
}

http::HttpResponse insufficient_scope(std::string_view scope, std::string_view detail) {
  auto r = problem(403, "insufficient-scope", detail);
  r.headers.set("WWW-Authenticate", std::string(kChallenge) +
                                        ", error=\"insufficient_scope\", scope=\"" +
                                        std::string(scope) + "\"");
  return r;
}

http::HttpResponse forbidden(AdminPart part) {
  const std::string scope(part_scope(part));
  return insufficient_scope(scope, "the access token lacks the scope " + scope + " (or " +
                                       std::string(kAdminScope) + ")");
}

http::HttpResponse run(const std::shared_ptr<AdminApi>& api, AdminPart part,
                       const AdminHandler& handler, const http::HttpRequest& request) {
  const auto fields = request.headers.get_all("Authorization");
  if (fields.empty()) return unauthorized("a Bearer access token is required", false);
  if (fields.size() > 1) return unauthorized("more than one Authorization header", true);
  std::string_view value = fields.front();
  if (value.size() < 7 || !iequals(value.substr(0, 7), "Bearer ")) {
    return unauthorized("a Bearer access token is required", false);
  }
  std::string_view token = value.substr(7);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  if (!is_b64token(token)) return unauthorized("the access token is malformed", true);
  auto caller = api->access.authenticate(token);
  if (!caller.ok()) {
    switch (caller.error().refusal) {
      case AccessRefusal::InvalidToken:
      case AccessRefusal::InsufficientScope:
        return unauthorized(caller.error().detail, true);
      case AccessRefusal::Unavailable: {
        auto r = problem(503, "unavailable", caller.error().detail);
        r.headers.set("Retry-After", "1");
        return r;
      }
    }
  }
  if (!AdminAccess::allows(*caller, part)) {
    auto r = forbidden(part);
    r.log_client_id = caller->client_id;
    return r;
  }
  // A query string that does not decode (NUL, invalid UTF-8, a bad escape) reaches us rather
  // than the HTTP layer's OAuth-style refusal, so the admin API answers problem details like
  // for every other bad input. The reason quotes no input.
  if (request.query_error) return problem(400, "invalid-request", *request.query_error);
  http::HttpResponse response = handler(request, *caller, *api);
  response.log_client_id = caller->client_id;
  if (response.status >= 500) {
    Logger::Fields fields{{"request_id", request.request_id},
                          {"client_id", caller->client_id},
                          {"route", request.route}};
    if (!response.log_error.empty()) fields["error"] = response.log_error;
    api->logger.error("admin operation failed", fields);
  }
  return response;
}

}  // namespace

void add_admin_route(http::Router& router, const std::shared_ptr<AdminApi>& api,
                     http::Method method, std::string_view path, AdminPart part,
                     AdminHandler handler) {
  router.add(
      method, std::string(kAdminPrefix) + std::string(path),
      [api, part, handler = std::move(handler)](const http::HttpRequest& request) {
        return run(api, part, handler, request);
      },
      http::Execution::Worker, http::QueryErrors::ToHandler);
}

http::HttpResponse admin_power_refused(std::string_view detail) {
  return insufficient_scope(kAdminScope, detail);
}

operations::Actor admin_actor(const http::HttpRequest& request, const AdminCaller& caller) {
  return operations::Actor::admin(caller.client_id, request.client_ip, request.request_id);
}

void log_change(AdminApi& api, const AdminCaller& caller, std::string_view action,
                std::string_view target, const std::vector<std::string>& changed) {
  Logger::Fields fields{{"client_id", caller.client_id},
                        {"action", std::string(action)},
                        {"target", std::string(target)}};
  if (!changed.empty()) fields["changed"] = changed;
  api.logger.info("admin change", fields);
}

http::HttpResponse json_answer(int status, const nlohmann::ordered_json& doc) {
  http::HttpResponse r;
  r.status = status;
  r.body = http::dump_json(doc);
  r.headers.set("Content-Type", "application/json");
  r.headers.set("Cache-Control", "no-store");
  return r;
}

std::variant<ListQuery, http::HttpResponse> read_list_query(
    const http::HttpRequest& request, const std::vector<std::string_view>& filters) {
  ListQuery out;
  std::vector<FieldProblem> problems;
  for (const auto& param : request.query.items()) {
    const bool known = param.name == "limit" || param.name == "cursor" ||
                       std::find(filters.begin(), filters.end(), param.name) != filters.end();
    if (!known) {
      problems.push_back({param.name, "unknown query parameter"});
      continue;
    }
    if (request.query.count(param.name) > 1) {
      problems.push_back({param.name, "given more than once"});
      continue;
    }
    if (param.name == "limit") {
      size_t limit = 0;
      const auto* end = param.value.data() + param.value.size();
      const auto [ptr, ec] = std::from_chars(param.value.data(), end, limit);
      if (ec != std::errc() || ptr != end || limit < 1 || limit > operations::kMaxPageLimit) {
        problems.push_back({"limit", "must be a whole number from 1 to " +
                                         std::to_string(operations::kMaxPageLimit)});
      } else {
        out.page.limit = limit;
      }
    } else if (param.name == "cursor") {
      out.page.cursor = param.value;
    } else {
      out.filters[param.name] = param.value;
    }
  }
  if (!problems.empty()) {
    // One problem per parameter, even when it was repeated.
    std::sort(problems.begin(), problems.end(),
              [](const auto& a, const auto& b) { return a.field < b.field; });
    problems.erase(std::unique(problems.begin(), problems.end(),
                               [](const auto& a, const auto& b) { return a.field == b.field; }),
                   problems.end());
    return problem(400, "invalid-request", "the query has parameters that are not accepted",
                   problems);
  }
  return out;
}

std::string next_link(const http::HttpRequest& request, const ListQuery& query,
                      const std::string& cursor) {
  std::string link = request.path + "?limit=" + std::to_string(query.page.limit);
  for (const auto& [name, value] : query.filters) {
    link += "&" + http::form_urlencode(name) + "=" + http::form_urlencode(value);
  }
  link += "&cursor=" + http::form_urlencode(cursor);
  return link;
}

}  // namespace keyward::server::admin
