#include "server/endpoints/account.h"

#include <algorithm>

#include "server/endpoints/account_page.h"
#include "server/endpoints/account_pages.h"
#include "server/endpoints/browser_form.h"
#include "server/endpoints/browser_pages.h"
#include "server/endpoints/browser_redirects.h"
#include "server/endpoints/csrf.h"

namespace keyward::server {
namespace {

using accounts::AccountProblem;
using json = nlohmann::json;

// The form's own fields.
constexpr std::string_view kActionField = "action";
constexpr std::string_view kSessionField = "session";
constexpr std::string_view kClientIdField = "client_id";

// The signed-in browser and its user, once both are known to be allowed here.
struct SignedIn {
  storage::SessionRecord session;
  storage::UserRecord user;
};

// The login page that returns here, its CSRF token from the pre-login cookie.
http::HttpResponse sign_in_first(const BrowserFlow& flow, const http::HttpRequest& request) {
  http::HttpResponse cookie_holder;
  const std::string secret = login_csrf_secret_for_page(request, flow.policy, cookie_holder);
  auto page = account_login_page(flow, secret, 200, "", "");
  for (const auto& value : cookie_holder.headers.get_all("Set-Cookie")) {
    page.headers.add("Set-Cookie", std::string(value));
  }
  return page;
}

// The user the session names if it may use the page; nullopt for nobody (or a disabled
// or deleted user); the error page when storage fails.
Result<std::optional<storage::UserRecord>, http::HttpResponse> allowed_user(
    const AccountEndpoint& endpoint, const http::HttpRequest& request,
    const storage::SessionRecord& session) {
  if (!session.user_id) return std::optional<storage::UserRecord>();
  auto user = endpoint.service.active_user(*session.user_id);
  if (!user.ok())
    return err(
        account_failure_page(*endpoint.flow, request, "account page failed", user.error().message));
  return std::move(user).value();
}

http::HttpResponse render(const AccountEndpoint& endpoint, const http::HttpRequest& request,
                          const SignedIn& who, const AccountPageState& state) {
  auto overview = endpoint.service.overview(who.user);
  if (!overview.ok())
    return account_failure_page(*endpoint.flow, request, "account page failed",
                                overview.error().message);
  return account_page(*endpoint.flow, who.user, who.session, *overview, state);
}

// A refused action: the page again with the reason, and the status it calls for.
http::HttpResponse refused(const AccountEndpoint& endpoint, const http::HttpRequest& request,
                           const SignedIn& who, const AccountProblem& problem,
                           std::optional<accounts::ProfileForm> typed = std::nullopt) {
  if (problem.kind == AccountProblem::Kind::Unavailable) {
    return account_failure_page(*endpoint.flow, request, "account page failed", problem.message);
  }
  AccountPageState state;
  state.status = problem.kind == AccountProblem::Kind::Throttled ? 429 : 400;
  state.error = problem.message;
  state.typed_profile = std::move(typed);
  auto page = render(endpoint, request, who, state);
  if (problem.retry_after) {
    page.headers.set("Retry-After", std::to_string(problem.retry_after->count()));
  }
  return page;
}

http::HttpResponse done(std::string_view key) {
  // Relative, as every link of ours: Keyward may be served under a path.
  return redirect_to(std::string(browser_wire::kReturnToAccount) + "?done=" + std::string(key),
                     303);
}

// This browser is signed out (or its account is gone): a notice, and the cookie cleared.
http::HttpResponse signed_out_notice(const BrowserFlow& flow, std::string_view title,
                                     std::string_view message, bool offer_sign_in) {
  auto page = notice_page(
      flow, 200,
      Notice{std::string(title), std::string(message), "",
             offer_sign_in ? std::string(browser_wire::kReturnToAccount) : std::string(),
             offer_sign_in ? std::string("Sign in again") : std::string(), false});
  clear_session_cookie(page, flow.policy);
  return page;
}

http::HttpResponse run_action(const AccountEndpoint& endpoint, const http::HttpRequest& request,
                              const BrowserForm& form, const SignedIn& who) {
  const BrowserFlow& flow = *endpoint.flow;
  // The user's own action on their account (audit/event.h): no actor.
  auto report = [&](const http::HttpRequest& req, const SignedIn& by, audit::EventType type,
                    nlohmann::json detail = nlohmann::json::object(), std::string client_id = {}) {
    flow.events.record(audit::Event{.type = type,
                                    .user_id = by.user.id,
                                    .client_id = std::move(client_id),
                                    .address = req.client_ip,
                                    .request_id = req.request_id,
                                    .detail = std::move(detail)});
  };
  accounts::AccountService& service = endpoint.service;
  const auto action = form.field(kActionField).value_or("");
  auto text = [&](std::string_view name) { return form.field(name).value_or(""); };

  if (action == "profile") {
    accounts::ProfileForm typed{text("given_name"), text("family_name"), text("email"),
                                text("current_password")};
    auto changed = service.update_profile(who.user, typed, mail_requester(request));
    if (!changed.ok()) return refused(endpoint, request, who, changed.error(), std::move(typed));
    const bool email_changed =
        std::find(changed->begin(), changed->end(), "email") != changed->end();
    if (!changed->empty())
      report(request, who, audit::EventType::UserChanged, {{"fields", *changed}});
    return done(email_changed ? "email" : "profile");
  }
  if (action == "resend_verification") {
    auto sent = service.resend_verification(who.user, mail_requester(request));
    if (!sent.ok()) return refused(endpoint, request, who, sent.error());
    return done("verification");
  }
  if (action == "password") {
    auto changed =
        service.change_password(who.user, who.session.id_hash, text("current_password"),
                                text("new_password"), text("confirm_password"), request.client_ip);
    if (!changed.ok()) return refused(endpoint, request, who, changed.error());
    flow.logger.info("password changed on the account page", {{"request_id", request.request_id}});
    report(request, who, audit::EventType::PasswordChanged);
    return done("password");
  }
  if (action == "end_session") {
    const auto id_hash = session_id_hash(text(kSessionField));
    if (!id_hash) {
      return refused(endpoint, request, who,
                     AccountProblem{AccountProblem::Kind::Refused,
                                    "The form did not say which session to end.", std::nullopt});
    }
    auto ended = service.end_session(who.user, *id_hash);
    if (!ended.ok()) return refused(endpoint, request, who, ended.error());
    if (*id_hash == who.session.id_hash) {
      return signed_out_notice(flow, "You are signed out",
                               "This browser is signed out of your account.", true);
    }
    return done("session");
  }
  if (action == "end_all_sessions") {
    auto ended = service.end_all_sessions(who.user);
    if (!ended.ok()) return refused(endpoint, request, who, ended.error());
    flow.logger.info("signed out everywhere", {{"request_id", request.request_id},
                                               {"sessions", static_cast<int64_t>(*ended)}});
    return signed_out_notice(flow, "You are signed out everywhere",
                             "Every browser signed in to your account, this one too, is signed "
                             "out.",
                             true);
  }
  if (action == "revoke_application") {
    auto revoked = service.revoke_application(who.user, text(kClientIdField));
    if (!revoked.ok()) return refused(endpoint, request, who, revoked.error());
    report(request, who, audit::EventType::ConsentRevoked, nlohmann::json::object(),
           std::string(text(kClientIdField)));
    return done("application");
  }
  if (action == "unlink_provider") {
    auto unlinked = service.unlink_provider(who.user, text(browser_wire::kProviderField));
    if (!unlinked.ok()) return refused(endpoint, request, who, unlinked.error());
    report(request, who, audit::EventType::FederatedIdentityUnlinked,
           {{"provider", text(browser_wire::kProviderField)}});
    return done("provider");
  }
  if (action == "delete_account") {
    auto deleted =
        service.delete_account(who.user, text(browser_wire::kPasswordField), request.client_ip);
    if (!deleted.ok()) return refused(endpoint, request, who, deleted.error());
    flow.logger.info("account deleted by its user", {{"request_id", request.request_id}});
    report(request, who, audit::EventType::UserDeleted);
    return signed_out_notice(flow, "Your account is deleted",
                             "Your account and everything Keyward kept about it are gone, and "
                             "every application lost its access. Goodbye.",
                             false);
  }
  return refused(endpoint, request, who,
                 AccountProblem{AccountProblem::Kind::Refused, "The form did not say what to do.",
                                std::nullopt});
}

}  // namespace

http::HttpResponse handle_account_page(const http::HttpRequest& request,
                                       const AccountEndpoint& endpoint) {
  const BrowserFlow& flow = *endpoint.flow;
  auto session = current_session(request, flow);
  if (!session) return sign_in_first(flow, request);
  auto user = allowed_user(endpoint, request, *session);
  if (!user.ok()) return std::move(user).error();
  if (!*user) return sign_in_first(flow, request);
  AccountPageState state;
  if (const auto key = request.query.get("done")) {
    if (const auto text = account_done_text(*key)) state.notice = std::string(*text);
  }
  return render(endpoint, request, SignedIn{std::move(*session), std::move(**user)}, state);
}

http::HttpResponse handle_account_action(const http::HttpRequest& request,
                                         const AccountEndpoint& endpoint) {
  const BrowserFlow& flow = *endpoint.flow;
  // CSRF first: nothing of a forged form is looked at.
  const auto form = BrowserForm::read(request);
  auto session = current_session(request, flow);
  const auto presented = form.field(browser_wire::kCsrfField);
  if (!session || !presented || !csrf_matches(session->csrf_secret, *presented)) {
    return csrf_failure_page(flow, request);
  }
  auto user = allowed_user(endpoint, request, *session);
  if (!user.ok()) return std::move(user).error();
  if (!*user) return sign_in_first(flow, request);
  SignedIn who{std::move(*session), std::move(**user)};
  if (auto params = form.request_params(); !params.ok()) {
    return refused(endpoint, request, who,
                   AccountProblem{AccountProblem::Kind::Refused, params.error(), std::nullopt});
  }
  return run_action(endpoint, request, form, who);
}

void add_account_page_routes(http::Router& router,
                             const std::shared_ptr<const AccountEndpoint>& endpoint) {
  router.add(
      http::Method::Get, std::string(browser_wire::kAccountPath),
      [endpoint](const http::HttpRequest& request) {
        return handle_account_page(request, *endpoint);
      },
      http::Execution::Worker);
  router.add(
      http::Method::Post, std::string(browser_wire::kAccountPath),
      [endpoint](const http::HttpRequest& request) {
        return handle_account_action(request, *endpoint);
      },
      http::Execution::Worker);
}

}  // namespace keyward::server
