#include "server/endpoints/federation_link.h"

#include <algorithm>

#include "common/crypto.h"
#include "server/endpoints/browser_form.h"
#include "server/endpoints/browser_pages.h"
#include "server/endpoints/csrf.h"
#include "server/endpoints/session_cookie.h"
#include "server/endpoints/sign_in.h"

namespace keyward::server {
namespace {

constexpr std::string_view kExpired =
    "That sign-in attempt expired or was already used. Start again.";

http::HttpResponse link_page(const FederationFlowContext& context, const http::HttpRequest& request,
                             const storage::FederationFlow& row, const storage::UserRecord& user,
                             int status, std::string_view error) {
  const BrowserFlow& flow = *context.browser;
  http::HttpResponse response;
  const std::string csrf = login_csrf_secret_for_page(request, flow.policy, response);
  const std::string label = provider_label(context, row.provider);
  nlohmann::json view = {
      {"title", "Link your " + label + " sign-in"},
      {"provider_label", label},
      {"email", row.email.value_or("")},
      {"username", user.username},
      {"csrf_token", csrf_token(csrf)},
      {"root", "../"},
      {"error", error.empty() ? nlohmann::json(nullptr) : nlohmann::json(error)}};
  auto page = http::HttpResponse::html(status, flow.templates->render(Page::FederationLink, view));
  // The form's POST ends (303 to /authorize, 302) at the client's redirect_uri: CSP
  // form-action must allow that origin, as on the login page.
  if (auto returning = returning_request(flow, row.return_params); returning.ok() && *returning) {
    allow_form_redirect(page, (*returning)->redirect_uri);
  }
  for (const auto& cookie : response.headers.get_all("Set-Cookie")) {
    page.headers.add("Set-Cookie", std::string(cookie));
  }
  return page;
}

// The pending link of this browser, with its user; nullopt when there is none (or its
// user is gone or disabled).
struct PendingLink {
  std::string token;
  storage::FederationFlow row;
  storage::UserRecord user;
};

Result<std::optional<PendingLink>, std::string> pending_link(const FederationFlowContext& context,
                                                             const http::HttpRequest& request) {
  const BrowserFlow& flow = *context.browser;
  const auto token = flow_cookie(request, flow.policy.federation_link_cookie_name);
  if (!token) return std::optional<PendingLink>();
  auto row = context.flows.peek_link(sha256(*token), sha256(*token), flow.clock.now());
  if (!row.ok()) return err("pending link lookup: " + row.error().message);
  if (!*row || !(*row)->user_id) return std::optional<PendingLink>();
  auto user = flow.users.find_by_id(*(*row)->user_id);
  if (!user.ok()) return err("user lookup: " + user.error().message);
  if (!*user || (*user)->disabled) return std::optional<PendingLink>();
  return std::optional<PendingLink>(PendingLink{*token, std::move(**row), std::move(**user)});
}

http::HttpResponse busy(const BrowserFlow& flow, const http::HttpRequest& request,
                        std::string_view detail) {
  flow.logger.error("federation link failed",
                    {{"request_id", request.request_id}, {"detail", std::string(detail)}});
  return oauth_error_page(flow, request,
                          grants::OAuthError::temporarily_unavailable(
                              "the service is busy, try again shortly", std::chrono::seconds(1)));
}

void clear_link_cookie(http::HttpResponse& response, const SessionPolicy& policy) {
  set_flow_cookie(response, policy, policy.federation_link_cookie_name, "",
                  std::chrono::seconds(0));
}

http::HttpResponse handle_show(const http::HttpRequest& request,
                               const FederationFlowContext& context) {
  auto pending = pending_link(context, request);
  if (!pending.ok()) return busy(*context.browser, request, pending.error());
  if (!*pending) return federation_login_page(context, request, "", 400, kExpired);
  return link_page(context, request, (*pending)->row, (*pending)->user, 200, "");
}

http::HttpResponse handle_confirm(const http::HttpRequest& request,
                                  const FederationFlowContext& context) {
  const BrowserFlow& flow = *context.browser;
  // CSRF first: the login form's token, bound to the pre-login cookie.
  const auto fields = BrowserForm::read(request);
  const auto secret = login_csrf_secret(request, flow.policy);
  const auto presented = fields.field(browser_wire::kCsrfField);
  if (!secret || !presented || !csrf_matches(*secret, *presented)) {
    return csrf_failure_page(flow, request);
  }
  auto pending = pending_link(context, request);
  if (!pending.ok()) return busy(flow, request, pending.error());
  if (!*pending) {
    auto page = federation_login_page(context, request, "", 400, kExpired);
    clear_link_cookie(page, flow.policy);
    return page;
  }
  const PendingLink& link = **pending;

  const auto password = fields.field(browser_wire::kPasswordField);
  if (!password || password->empty()) {
    return link_page(context, request, link.row, link.user, 400, "Enter your Keyward password.");
  }
  auto checked = flow.user_auth.authenticate(link.user.username, *password, request.client_ip);
  if (!checked.ok()) {
    const auto& e = checked.error();
    // A wrong password here is a guess at the account's like one on the login page.
    if (e.retry_after || e.code == grants::ErrorCode::InvalidGrant) {
      audit::Event event{.type = e.retry_after ? audit::EventType::SignInThrottled
                                               : audit::EventType::SignInFailed,
                         .user_id = link.user.id,
                         .address = request.client_ip,
                         .request_id = request.request_id,
                         .detail = {{"method", "password"}, {"provider", link.row.provider}}};
      if (!e.retry_after) event.detail["reason"] = "bad_credentials";
      flow.events.record(std::move(event));
    }
    if (e.retry_after) {
      const long long wait = std::max<long long>(1, e.retry_after->count());
      auto throttled = link_page(context, request, link.row, link.user, 429,
                                 "Too many failed attempts. Try again in " + std::to_string(wait) +
                                     (wait == 1 ? " second." : " seconds."));
      throttled.headers.set("Retry-After", std::to_string(wait));
      return throttled;
    }
    if (e.code == grants::ErrorCode::InvalidGrant) {
      flow.logger.info("federation link refused",
                       {{"request_id", request.request_id}, {"detail", e.log_detail}});
      return link_page(context, request, link.row, link.user, 200,
                       "The password is incorrect. Nothing was linked.");
    }
    return oauth_error_page(flow, request, e);
  }

  // Used up now, whoever else tries (a second tab, a replay).
  const std::string hash = sha256(link.token);
  auto consumed = context.flows.consume(hash, storage::FlowPurpose::Link, hash, flow.clock.now());
  if (!consumed.ok()) return busy(flow, request, consumed.error().message);
  if (consumed->outcome != storage::FlowConsumption::Consumed) {
    auto page = federation_login_page(context, request, "", 400, kExpired);
    clear_link_cookie(page, flow.policy);
    return page;
  }
  const accounts::UpstreamAccount upstream{link.row.provider,
                                           provider_label(context, link.row.provider),
                                           link.row.subject.value_or(""),
                                           link.row.email,
                                           true,
                                           std::nullopt,
                                           std::nullopt,
                                           std::nullopt};
  auto decided = context.accounts.confirm_link(upstream, link.user);
  if (!decided.ok()) return busy(flow, request, decided.error());
  if (decided->kind != accounts::FederatedOutcome::Kind::SignIn) {
    auto page =
        federation_login_page(context, request, link.row.return_params, 409, decided->message);
    clear_link_cookie(page, flow.policy);
    return page;
  }
  flow.logger.info("federated identity linked", {{"request_id", request.request_id},
                                                 {"provider", link.row.provider},
                                                 {"user_id", link.user.id}});
  for (auto type : {audit::EventType::FederatedIdentityLinked, audit::EventType::SignIn}) {
    audit::Event event{.type = type,
                       .user_id = link.user.id,
                       .address = request.client_ip,
                       .request_id = request.request_id,
                       .detail = {{"provider", link.row.provider}}};
    if (type == audit::EventType::SignIn) event.detail["method"] = "federated";
    flow.events.record(std::move(event));
  }
  auto response = sign_in_and_redirect(request, flow, current_session(request, flow), link.user.id,
                                       federation_next_location(link.row.return_params),
                                       storage::kAmrFederated);
  clear_link_cookie(response, flow.policy);
  return response;
}

}  // namespace

http::HttpResponse start_link_confirmation(const FederationFlowContext& context,
                                           const http::HttpRequest& request,
                                           const accounts::UpstreamAccount& upstream,
                                           const storage::UserRecord& user,
                                           std::string_view return_params) {
  const BrowserFlow& flow = *context.browser;
  // The token is the row's key and its browser binding at once: only the browser holding
  // the cookie knows it.
  const std::string token = random_token();
  const TimePoint now = flow.clock.now();
  storage::FederationFlow row;
  row.key_hash = sha256(token);
  row.purpose = storage::FlowPurpose::Link;
  row.browser_hash = sha256(token);
  row.provider = upstream.provider;
  row.subject = upstream.subject;
  row.user_id = user.id;
  row.email = upstream.email;
  row.return_params = std::string(return_params);
  row.created_at = now;
  row.expires_at = now + kFederationFlowLifetime;
  auto stored = context.flows.create(row);
  if (!stored.ok()) return busy(flow, request, stored.error().message);
  auto page = link_page(context, request, row, user, 200, "");
  set_flow_cookie(page, flow.policy, flow.policy.federation_link_cookie_name, token,
                  kFederationFlowLifetime);
  return page;
}

void add_federation_link_routes(http::Router& router,
                                const std::shared_ptr<const FederationFlowContext>& context) {
  const std::string path(browser_wire::kFederationLinkPath);
  router.add(
      http::Method::Get, path,
      [context](const http::HttpRequest& request) { return handle_show(request, *context); },
      http::Execution::Worker);
  router.add(
      http::Method::Post, path,
      [context](const http::HttpRequest& request) { return handle_confirm(request, *context); },
      http::Execution::Worker);
}

}  // namespace keyward::server
