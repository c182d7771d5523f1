#include "server/endpoints/federation_callback.h"

#include "common/crypto.h"
#include "server/endpoints/browser_pages.h"
#include "server/endpoints/browser_redirects.h"
#include "server/endpoints/federation_link.h"
#include "server/endpoints/session_cookie.h"
#include "server/endpoints/sign_in.h"

namespace keyward::server {
namespace {

using federation::UpstreamError;

constexpr std::string_view kExpired =
    "That sign-in attempt expired or was already used. Start again.";

std::optional<std::string> query_value(const http::HttpRequest& request, std::string_view name) {
  // A repeated parameter is not a value (RFC 6749 §3.1): treated as absent, so the check
  // it feeds fails.
  if (request.query.count(name) != 1) return std::nullopt;
  return std::string(*request.query.get(name));
}

std::string upstream_message(const UpstreamError& e, const std::string& label) {
  switch (e.kind) {
    case UpstreamError::Kind::Cancelled:
      return "Sign-in with " + label + " was cancelled.";
    case UpstreamError::Kind::Unreachable:
      return label + " could not be reached. Try again.";
    case UpstreamError::Kind::NotFresh:
      return label + " did not confirm a recent sign-in, which this application requires. " +
             "Try again, or sign in with your password.";
    case UpstreamError::Kind::Refused:
    case UpstreamError::Kind::InvalidResponse:
    case UpstreamError::Kind::InvalidIdToken:
      break;
  }
  return "Sign-in with " + label + " failed.";
}

std::string_view kind_name(UpstreamError::Kind kind) {
  switch (kind) {
    case UpstreamError::Kind::Cancelled:
      return "cancelled";
    case UpstreamError::Kind::Refused:
      return "refused";
    case UpstreamError::Kind::Unreachable:
      return "unreachable";
    case UpstreamError::Kind::InvalidResponse:
      return "invalid_response";
    case UpstreamError::Kind::InvalidIdToken:
      return "invalid_id_token";
    case UpstreamError::Kind::NotFresh:
      return "not_fresh";
  }
  return "unknown";
}

void clear_binding(http::HttpResponse& response, const SessionPolicy& policy) {
  set_flow_cookie(response, policy, policy.federation_cookie_name, "", std::chrono::seconds(0));
}

// Facts of a federated sign-in (audit/event.h): the provider always, never what the
// upstream's token said beyond its verdict.
void report(const BrowserFlow& flow, const http::HttpRequest& request, audit::EventType type,
            std::string user_id, std::string client_id, nlohmann::json detail) {
  flow.events.record(audit::Event{.type = type,
                                  .user_id = std::move(user_id),
                                  .client_id = std::move(client_id),
                                  .address = request.client_ip,
                                  .request_id = request.request_id,
                                  .detail = std::move(detail)});
}

http::HttpResponse handle_callback(const http::HttpRequest& request,
                                   const FederationFlowContext& context) {
  const BrowserFlow& flow = *context.browser;
  // Once this browser's flow is used up its binding cookie is cleared; a callback that
  // found no flow of this browser (a forged or stale state) leaves it, so it cannot spoil
  // a sign-in still under way in this browser.
  auto refuse = [&](std::string_view return_params, int status, std::string_view message,
                    bool flow_used = true) {
    auto page = federation_login_page(context, request, return_params, status, message);
    if (flow_used) clear_binding(page, flow.policy);
    return page;
  };

  // 1. The flow this browser started, once.
  const auto state = query_value(request, "state");
  const auto binding = flow_cookie(request, flow.policy.federation_cookie_name);
  if (!state || state->empty() || !binding) {
    flow.logger.info("federation callback refused",
                     {{"request_id", request.request_id},
                      {"detail", !binding ? "no binding cookie" : "no state"}});
    return refuse("", 400, kExpired, false);
  }
  const TimePoint now = flow.clock.now();
  auto consumed =
      context.flows.consume(sha256(*state), storage::FlowPurpose::SignIn, sha256(*binding), now);
  if (!consumed.ok()) {
    flow.logger.error("federation flow lookup failed",
                      {{"request_id", request.request_id}, {"detail", consumed.error().message}});
    return oauth_error_page(flow, request,
                            grants::OAuthError::temporarily_unavailable(
                                "the service is busy, try again shortly", std::chrono::seconds(1)));
  }
  if (consumed->outcome != storage::FlowConsumption::Consumed) {
    const char* why = consumed->outcome == storage::FlowConsumption::Expired ? "expired"
                      : consumed->outcome == storage::FlowConsumption::OtherBrowser
                          ? "other browser"
                          : "unknown state";
    flow.logger.info("federation callback refused",
                     {{"request_id", request.request_id}, {"detail", why}});
    return refuse("", 400, kExpired, consumed->outcome == storage::FlowConsumption::Expired);
  }
  const storage::FederationFlow& row = *consumed->flow;
  const std::string label = provider_label(context, row.provider);

  // 2. What the upstream says, checked.
  auto upstream = context.providers.find(row.provider);
  if (!upstream) {
    return refuse(row.return_params, 400, "Sign-in with " + label + " is no longer available.");
  }
  // The authorization request (again valid?) and how fresh its sign-in must be.
  auto returning = returning_request(flow, row.return_params);
  if (!returning.ok()) return refuse(row.return_params, 400, "");
  const std::optional<grants::AuthorizationRequest>& r = *returning;
  const std::string client_id = r ? r->client.id : std::string();
  federation::Freshness freshness;
  freshness.requested_at = row.created_at;
  if (r) {
    freshness.login = r->prompt.login;
    freshness.max_age = r->max_age;
  }
  // Once signed in, /authorize gets the request without prompt=login and max_age.
  const std::string next_params = r ? after_login_query(*r) : std::string();
  const federation::FlowSecrets secrets{*state, row.nonce.value_or(""),
                                        row.code_verifier.value_or("")};
  const federation::CallbackParams params{
      query_value(request, "code"), state, query_value(request, "iss"),
      query_value(request, "error"), query_value(request, "error_description")};
  auto identity = upstream->finish(params, secrets, freshness);
  if (!identity.ok()) {
    const UpstreamError& e = identity.error();
    flow.logger.info("federated sign-in failed", {{"request_id", request.request_id},
                                                  {"provider", row.provider},
                                                  {"kind", std::string(kind_name(e.kind))},
                                                  {"detail", e.log_detail}});
    report(flow, request, audit::EventType::SignInFailed, "", client_id,
           {{"method", "federated"},
            {"provider", row.provider},
            {"reason", "upstream"},
            {"upstream_error", std::string(kind_name(e.kind))}});
    return refuse(row.return_params, 200, upstream_message(e, label));
  }

  // 3. Who that is here.
  const accounts::UpstreamAccount account{identity->provider,       label,
                                          identity->subject,        identity->email,
                                          identity->email_verified, identity->given_name,
                                          identity->family_name,    identity->preferred_username};
  auto decided = context.accounts.sign_in(account);
  if (!decided.ok()) {
    flow.logger.error("federated sign-in failed",
                      {{"request_id", request.request_id}, {"detail", decided.error()}});
    return oauth_error_page(flow, request,
                            grants::OAuthError::temporarily_unavailable(
                                "the service is busy, try again shortly", std::chrono::seconds(1)));
  }
  using Kind = accounts::FederatedOutcome::Kind;
  switch (decided->kind) {
    case Kind::Refused:
      flow.logger.info("federated sign-in refused",
                       {{"request_id", request.request_id}, {"provider", row.provider}});
      report(flow, request, audit::EventType::SignInFailed, decided->user_id, client_id,
             {{"method", "federated"}, {"provider", row.provider}, {"reason", decided->refusal}});
      return refuse(row.return_params, 403, decided->message);
    case Kind::ConfirmLink: {
      auto response =
          start_link_confirmation(context, request, account, *decided->link_user, next_params);
      clear_binding(response, flow.policy);
      return response;
    }
    case Kind::SignIn:
      break;
  }
  if (decided->created) {
    flow.logger.info("federated sign-up", {{"request_id", request.request_id},
                                           {"provider", row.provider},
                                           {"user_id", decided->user_id}});
    // A new account, linked to the upstream identity in the same transaction.
    report(flow, request, audit::EventType::UserCreated, decided->user_id, client_id,
           {{"method", "federated"}, {"provider", row.provider}});
    report(flow, request, audit::EventType::FederatedIdentityLinked, decided->user_id, client_id,
           {{"provider", row.provider}});
  }
  report(flow, request, audit::EventType::SignIn, decided->user_id, client_id,
         {{"method", "federated"}, {"provider", row.provider}});
  auto response = sign_in_and_redirect(request, flow, current_session(request, flow),
                                       decided->user_id, federation_next_location(next_params),
                                       storage::kAmrFederated, identity->auth_time);
  clear_binding(response, flow.policy);
  return response;
}

}  // namespace

void add_federation_callback_route(http::Router& router,
                                   const std::shared_ptr<const FederationFlowContext>& context) {
  router.add(
      http::Method::Get, std::string(browser_wire::kFederationCallbackPath),
      [context](const http::HttpRequest& request) { return handle_callback(request, *context); },
      http::Execution::Worker);
}

}  // namespace keyward::server
