#include "server/endpoints/logout.h"

#include <algorithm>

#include "grants/client_storage_failure.h"
#include "grants/wire.h"
#include "server/endpoints/browser_form.h"
#include "server/endpoints/csrf.h"

namespace keyward::server {
namespace {

using json = nlohmann::json;

constexpr std::string_view kIdTokenHint = "id_token_hint";
constexpr std::string_view kClientIdParam = "client_id";
constexpr std::string_view kPostLogoutRedirectUri = "post_logout_redirect_uri";
constexpr std::string_view kStateParam = "state";
constexpr std::string_view kLogoutParameters[] = {kIdTokenHint, kClientIdParam,
                                                  kPostLogoutRedirectUri, kStateParam};

http::HttpResponse bad_request(const BrowserFlow& flow, const http::HttpRequest& request,
                               std::string_view message) {
  return error_page(flow, request, 400, "This sign-out request cannot be completed", message);
}

}  // namespace

http::HttpResponse handle_logout(const http::HttpRequest& request, const BrowserFlow& flow) {
  auto raw = browser_params(request);
  if (!raw.ok()) return bad_request(flow, request, raw.error());
  grants::RawParams params;
  for (const auto& [name, value] : *raw) {
    if (value.empty()) continue;
    if (std::find(std::begin(kLogoutParameters), std::end(kLogoutParameters), name) ==
        std::end(kLogoutParameters)) {
      continue;
    }
    for (const auto& [seen, _] : params) {
      if (seen == name) return bad_request(flow, request, "A parameter is repeated.");
    }
    params.emplace_back(name, value);
  }
  auto get = [&](std::string_view name) -> std::optional<std::string> {
    for (const auto& [n, v] : params) {
      if (n == name) return v;
    }
    return std::nullopt;
  };

  // The client: the hint's audience, or client_id; both must agree.
  std::optional<std::string> client_id = get(kClientIdParam);
  std::optional<std::string> hinted_user;
  if (const auto hint = get(kIdTokenHint)) {
    auto jwt = flow.id_tokens.verify_hint(*hint);
    if (!jwt)
      return bad_request(flow, request, "The id_token_hint is not an ID token Keyward issued.");
    const auto& aud = jwt->claims()[grants::wire::kAud].get_ref<const std::string&>();
    if (client_id && *client_id != aud) {
      return bad_request(flow, request, "client_id does not match the id_token_hint.");
    }
    client_id = aud;
    hinted_user = jwt->claims()[grants::wire::kSub].get<std::string>();
  }
  std::optional<grants::Client> client;
  if (client_id) {
    auto found = flow.clients.find(*client_id);
    if (!found.ok()) {
      return oauth_error_page(flow, request, grants::storage_failure(found.error(), "logout"));
    }
    if (*found) client = (*found)->client;
  }
  const auto post_logout = get(kPostLogoutRedirectUri);
  if (post_logout) {
    if (!client) {
      return bad_request(flow, request,
                         "post_logout_redirect_uri needs id_token_hint or client_id.");
    }
    const auto& registered = client->post_logout_redirect_uris;
    if (std::find(registered.begin(), registered.end(), *post_logout) == registered.end()) {
      return bad_request(flow, request,
                         "post_logout_redirect_uri is not registered for this application.");
    }
  }

  auto session = current_session(request, flow);
  bool confirmed = false;
  if (request.method == http::Method::Post) {
    if (const auto presented = form_field(request, kCsrfField)) {
      if (!session || !csrf_matches(session->csrf_secret, *presented)) {
        return csrf_failure_page(flow, request);
      }
      confirmed = true;
    }
  }
  const bool signed_in = session && session->user_id;
  const bool hint_matches = signed_in && hinted_user && *hinted_user == *session->user_id;
  if (signed_in && !confirmed && !hint_matches) {
    std::string who;
    if (auto user = flow.users.find_by_id(*session->user_id); user.ok() && *user) {
      who = (*user)->username;
    }
    json hidden = json::array();
    for (const auto& [name, value] : params) hidden.push_back({{"name", name}, {"value", value}});
    json view = {{"title", "Sign out"},
                 {"confirm", true},
                 {"account", who.empty() ? json(nullptr) : json(who)},
                 {"client_name", client ? json(client->name) : json(nullptr)},
                 {"csrf_token", csrf_token(session->csrf_secret)},
                 {"params", hidden}};
    auto page = http::HttpResponse::html(200, flow.templates->render(Page::Logout, view));
    if (post_logout) allow_form_redirect(page, *post_logout);
    return page;
  }

  if (session) {
    auto ended = flow.sessions.end(session->id_hash, flow.clock.now());
    if (!ended.ok()) {
      return oauth_error_page(flow, request, grants::storage_failure(ended.error(), "logout"));
    }
    if (*ended) flow.logger.info("signed out", {{"request_id", request.request_id}});
  }
  http::HttpResponse response;
  if (post_logout) {
    grants::RawParams back;
    if (const auto state = get(kStateParam)) back.emplace_back(kStateParam, *state);
    response = redirect_to(with_query(*post_logout, back),
                           request.method == http::Method::Post ? 303 : 302);
  } else {
    json view = {{"title", "Signed out"},
                 {"confirm", false},
                 {"client_name", client ? json(client->name) : json(nullptr)}};
    response = http::HttpResponse::html(200, flow.templates->render(Page::Logout, view));
  }
  if (client) response.log_client_id = client->id;
  if (request.cookies.get(flow.policy.cookie_name)) clear_session_cookie(response, flow.policy);
  return response;
}

void add_logout_routes(http::Router& router, const std::shared_ptr<const BrowserFlow>& flow) {
  for (http::Method method : {http::Method::Get, http::Method::Post}) {
    router.add(
        method, std::string(kLogoutPath),
        [flow](const http::HttpRequest& request) { return handle_logout(request, *flow); },
        http::Execution::Worker, http::QueryErrors::ToHandler);
  }
}

}  // namespace keyward::server
