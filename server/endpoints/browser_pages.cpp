#include "server/endpoints/browser_pages.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "grants/id_token.h"
#include "grants/scope.h"
#include "grants/wire.h"
#include "server/endpoints/browser_redirects.h"
#include "server/endpoints/csrf.h"
#include "server/endpoints/oauth_error_writer.h"

namespace keyward::server {
namespace {

using grants::AuthorizationRequest;
using grants::OAuthError;
using json = nlohmann::json;

// The host (and port) a redirect_uri points to, so the consent page can say where the
// user will be sent: a phishing client registered with someone else's name still cannot
// hide its address.
std::string uri_host(std::string_view uri) {
  const auto scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos) return std::string(uri.substr(0, uri.find(':')));
  auto rest = uri.substr(scheme_end + 3);
  return std::string(rest.substr(0, rest.find_first_of("/?#")));
}

// The scopes with a text of their own are Keyward's own (grants::kKnownScopes), and the
// consent page lists them in that order: who you are first, then what about you, then how
// long; the client's own scopes come last.
using grants::kKnownScopes;

// Each scope in plain words, so people can judge what they allow; scopes of the client's
// own API keep their name.
json scope_view(const std::string& scope) {
  if (scope == grants::kOpenIdScope) {
    return {{"title", "Sign you in with your account"},
            {"detail", "It learns a permanent identifier for your account."}};
  }
  if (scope == grants::kProfileScope) {
    return {{"title", "See your name and username"}, {"detail", nullptr}};
  }
  if (scope == grants::kEmailScope) {
    return {{"title", "See your email address"}, {"detail", "And whether it has been verified."}};
  }
  if (scope == grants::kOfflineAccessScope) {
    return {{"title", "Stay connected when you are away"},
            {"detail", "It keeps access after you sign out, until you revoke it."}};
  }
  return {{"title", "Use \u201c" + scope + "\u201d"},
          {"detail", "A permission of the application's own service."}};
}

json ordered_scope_views(const grants::ScopeSet& scope) {
  std::vector<std::string> ordered(scope.begin(), scope.end());
  auto rank = [](const std::string& s) {
    const auto known = std::find(std::begin(kKnownScopes), std::end(kKnownScopes), s);
    return static_cast<size_t>(known - std::begin(kKnownScopes));
  };
  std::stable_sort(ordered.begin(), ordered.end(),
                   [&](const std::string& a, const std::string& b) { return rank(a) < rank(b); });
  json views = json::array();
  for (const auto& s : ordered) views.push_back(scope_view(s));
  return views;
}

// How the consent page names the signed-in user: "Given Family (username)", or the
// username alone; empty when the user cannot be read.
std::string account_name(const BrowserFlow& flow, const storage::SessionRecord& session) {
  if (!session.user_id) return {};
  auto user = flow.users.find_by_id(*session.user_id);
  if (!user.ok() || !*user) return {};
  const auto& u = **user;
  if (!u.given_name && !u.family_name) return u.username;
  std::string name = u.given_name.value_or("");
  if (u.family_name) name += (name.empty() ? "" : " ") + *u.family_name;
  return name + " (" + u.username + ")";
}

// The CSP source for where a form's answer may finally redirect: scheme://host[:port] of
// the URI, or "scheme:" for a native app's private-use scheme; nullopt when it has a
// character a CSP source cannot carry.
std::optional<std::string> csp_source(std::string_view uri) {
  const auto colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  const auto scheme = uri.substr(0, colon);
  auto scheme_ok = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '-' || c == '.';
  };
  if (!std::all_of(scheme.begin(), scheme.end(), scheme_ok)) return std::nullopt;
  if (uri.substr(colon, 3) != "://") return std::string(scheme) + ":";
  const auto rest = uri.substr(colon + 3);
  const auto host = rest.substr(0, rest.find_first_of("/?#"));
  auto host_ok = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == ':' || c == '[' || c == ']';
  };
  if (host.empty() || !std::all_of(host.begin(), host.end(), host_ok)) return std::nullopt;
  return std::string(scheme) + "://" + std::string(host);
}

std::string client_display_name(const grants::Client& client) {
  return client.name.empty() ? client.id : client.name;
}

}  // namespace

http::HttpResponse error_page(const BrowserFlow& flow, const http::HttpRequest& request, int status,
                              std::string_view title, std::string_view message) {
  json view = {{"title", title}, {"message", message}};
  if (status >= 500) view["request_id"] = request.request_id;
  return http::HttpResponse::html(status, flow.templates->render(Page::Error, view));
}

http::HttpResponse oauth_error_page(const BrowserFlow& flow, const http::HttpRequest& request,
                                    const OAuthError& error) {
  const int status = error.http_status();
  log_oauth_error(error, request, flow.logger);
  if (status >= 500) {
    auto page = error_page(flow, request, status, "Something went wrong",
                           "Keyward could not complete this request. Please try again in a "
                           "moment.");
    if (error.retry_after)
      page.headers.set("Retry-After", std::to_string(error.retry_after->count()));
    return page;
  }
  json view = {{"title", "This sign-in request cannot be completed"},
               {"message", error.description},
               {"code", error.wire_name()},
               {"hint",
                "Go back to the application and try again. If this keeps happening, tell the "
                "application's developers."}};
  return http::HttpResponse::html(status, flow.templates->render(Page::Error, view));
}

json hidden_fields(const grants::RawParams& params) {
  json out = json::array();
  for (const auto& [name, value] : params) out.push_back({{"name", name}, {"value", value}});
  return out;
}

void allow_form_redirect(http::HttpResponse& response, std::string_view uri) {
  const auto source = csp_source(uri);
  const auto csp = response.headers.get("Content-Security-Policy");
  if (!source || !csp) return;
  std::string value(*csp);
  const std::string directive = "form-action 'self'";
  const auto at = value.find(directive);
  if (at == std::string::npos) return;
  value.insert(at + directive.size(), " " + *source);
  response.headers.set("Content-Security-Policy", value);
}

namespace {

// The login pages' provider buttons ({name, label}) and whether there are any.
void add_provider_buttons(const BrowserFlow& flow, json& view) {
  json buttons = json::array();
  if (flow.providers != nullptr) {
    for (const auto& button : flow.providers->buttons()) {
      buttons.push_back({{"name", button.name}, {"label", button.label}});
    }
  }
  view["has_providers"] = !buttons.empty();
  view["providers"] = std::move(buttons);
}

void allow_provider_redirects(const BrowserFlow& flow, http::HttpResponse& response) {
  if (flow.providers == nullptr) return;
  for (const auto& button : flow.providers->buttons()) {
    if (auto upstream = flow.providers->find(button.name)) {
      // The button's POST is answered 303 to the authorization endpoint, which may be on
      // another origin than the issuer.
      allow_form_redirect(response, upstream->authorization_origin());
    }
  }
}

}  // namespace

http::HttpResponse login_page(const BrowserFlow& flow, const AuthorizationRequest& r,
                              std::string_view login_csrf_secret, int status,
                              std::string_view username, std::string_view error,
                              std::string_view root) {
  json view = {{"title", "Sign in"},
               {"client_name", client_display_name(r.client)},
               {"csrf_token", csrf_token(login_csrf_secret)},
               {"params", hidden_fields(r.params)},
               {"username", username.empty() ? json(nullptr) : json(username)},
               {"error", error.empty() ? json(nullptr) : json(error)},
               {"signup_href",
                flow.registration_open
                    ? json(with_query(std::string(browser_wire::kSignupPath).substr(1), r.params))
                    : json(nullptr)},
               {"root", std::string(root)}};
  add_provider_buttons(flow, view);
  auto response = http::HttpResponse::html(status, flow.templates->render(Page::Login, view));
  allow_form_redirect(response, r.redirect_uri);
  allow_provider_redirects(flow, response);
  response.log_client_id = r.client.id;
  return response;
}

http::HttpResponse account_login_page(const BrowserFlow& flow, std::string_view login_csrf_secret,
                                      int status, std::string_view username, std::string_view error,
                                      std::string_view root) {
  json view = {{"title", "Sign in to your account"},
               {"client_name", nullptr},
               {"return_to", std::string(browser_wire::kReturnToAccount)},
               {"csrf_token", csrf_token(login_csrf_secret)},
               {"params", json::array()},
               {"username", username.empty() ? json(nullptr) : json(username)},
               {"error", error.empty() ? json(nullptr) : json(error)},
               // Sign-up without an authorization request ends on the account page too.
               {"signup_href", flow.registration_open
                                   ? json(std::string(browser_wire::kSignupPath).substr(1))
                                   : json(nullptr)},
               {"root", std::string(root)}};
  add_provider_buttons(flow, view);
  auto response = http::HttpResponse::html(status, flow.templates->render(Page::Login, view));
  allow_provider_redirects(flow, response);
  return response;
}

json scope_views(const grants::ScopeSet& scope) {
  return ordered_scope_views(scope);
}

http::HttpResponse consent_page(const BrowserFlow& flow, const AuthorizationRequest& r,
                                const storage::SessionRecord& session) {
  const std::string who = account_name(flow, session);
  json view = {
      {"title", "Allow access"},
      {"client_name", client_display_name(r.client)},
      {"account", who.empty() ? json(nullptr) : json(who)},
      {"initial", who.empty() ? json(nullptr)
                              : json(std::string(1, static_cast<char>(std::toupper(
                                                        static_cast<unsigned char>(who[0])))))},
      {"scopes", ordered_scope_views(r.scope)},
      {"no_scopes", r.scope.empty()},
      {"redirect_host", uri_host(r.redirect_uri)},
      {"csrf_token", csrf_token(session.csrf_secret)},
      {"params", hidden_fields(r.params)}};
  auto response = http::HttpResponse::html(200, flow.templates->render(Page::Consent, view));
  allow_form_redirect(response, r.redirect_uri);
  response.log_client_id = r.client.id;
  return response;
}

}  // namespace keyward::server
