#include "server/endpoints/logout.h"

#include <variant>

#include "grants/client_storage_failure.h"
#include "grants/logout.h"
#include "server/endpoints/browser_form.h"
#include "server/endpoints/browser_pages.h"
#include "server/endpoints/browser_redirects.h"
#include "server/endpoints/csrf.h"

namespace keyward::server {
namespace {

using json = nlohmann::json;

http::HttpResponse bad_request(const BrowserFlow& flow, const http::HttpRequest& request,
                               std::string_view message) {
  return error_page(flow, request, 400, "This sign-out request cannot be completed", message);
}

}  // namespace

http::HttpResponse handle_logout(const http::HttpRequest& request, const BrowserFlow& flow) {
  const auto form = BrowserForm::read(request);
  auto raw = form.request_params();
  if (!raw.ok()) return bad_request(flow, request, raw.error());
  auto checked = grants::check_logout_request(*raw, flow.id_tokens, flow.clients);
  if (!checked.ok()) {
    if (const auto* refusal = std::get_if<grants::LogoutRefusal>(&checked.error())) {
      return bad_request(flow, request, refusal->message);
    }
    return oauth_error_page(flow, request, std::get<grants::OAuthError>(checked.error()));
  }
  const grants::LogoutRequest& logout = *checked;
  const auto& client = logout.client;
  const auto& post_logout = logout.post_logout_redirect_uri;

  auto session = current_session(request, flow);
  bool confirmed = false;
  if (request.method == http::Method::Post) {
    if (const auto presented = form.field(browser_wire::kCsrfField)) {
      if (!session || !csrf_matches(session->csrf_secret, *presented)) {
        return csrf_failure_page(flow, request);
      }
      confirmed = true;
    }
  }
  const bool signed_in = session && session->user_id;
  const bool hint_matches = signed_in && logout.hint_names(*session->user_id);
  if (signed_in && !confirmed && !hint_matches) {
    std::string who;
    if (auto user = flow.users.find_by_id(*session->user_id); user.ok() && *user) {
      who = (*user)->username;
    }
    json view = {{"title", "Sign out"},
                 {"confirm", true},
                 {"account", who.empty() ? json(nullptr) : json(who)},
                 {"client_name", client ? json(client->name) : json(nullptr)},
                 {"csrf_token", csrf_token(session->csrf_secret)},
                 {"params", hidden_fields(logout.params)}};
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
    if (*ended && session->user_id) {
      flow.events.record(audit::Event{.type = audit::EventType::Logout,
                                      .user_id = *session->user_id,
                                      .client_id = client ? client->id : std::string(),
                                      .address = request.client_ip,
                                      .request_id = request.request_id});
    }
  }
  http::HttpResponse response;
  if (post_logout) {
    response =
        redirect_to(with_query(*post_logout, logout.redirect_params()), redirect_status(request));
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
        method, std::string(browser_wire::kLogoutPath),
        [flow](const http::HttpRequest& request) { return handle_logout(request, *flow); },
        http::Execution::Worker, http::QueryErrors::ToHandler);
  }
}

}  // namespace keyward::server
