#include "server/endpoints/authorize.h"

#include <algorithm>
#include <cctype>

#include "common/crypto.h"
#include "grants/wire.h"
#include "http/form.h"
#include "http/security_headers.h"
#include "server/endpoints/csrf.h"
#include "server/endpoints/oauth_error_writer.h"

namespace keyward::server {
namespace {

using grants::AuthorizationRequest;
using grants::OAuthError;
using grants::RawParams;
using json = nlohmann::json;

// The login form's CSRF secret is HMAC(pre-login cookie, this): a secret of its own, never
// the cookie value itself, so the page shows nothing the cookie could be derived from.
constexpr std::string_view kPreLoginSecretPurpose = "keyward pre-login csrf secret v1";

// Fields of our own forms, never part of the authorization request.
constexpr std::string_view kOwnFields[] = {kCsrfField, "username", "password", "decision"};

bool is_form_content_type(std::string_view value) {
  value = value.substr(0, value.find(';'));
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return iequals(value, "application/x-www-form-urlencoded");
}

bool is_session_id(std::string_view value) {
  // random_token(): 32 bytes as base64url.
  return value.size() == 43 && std::all_of(value.begin(), value.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
         });
}

// The host (and port) a redirect_uri points to, so the consent page can say where the
// user will be sent: a phishing client registered with someone else's name still cannot
// hide its address.
std::string uri_host(std::string_view uri) {
  const auto scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos) return std::string(uri.substr(0, uri.find(':')));
  auto rest = uri.substr(scheme_end + 3);
  return std::string(rest.substr(0, rest.find_first_of("/?#")));
}

json hidden_fields(const RawParams& params) {
  json out = json::array();
  for (const auto& [name, value] : params) out.push_back({{"name", name}, {"value", value}});
  return out;
}

// Each scope in plain words (issue 5); scopes of the client's own API keep their name.
json scope_view(const std::string& scope) {
  if (scope == "openid") {
    return {{"title", "Sign you in with your account"},
            {"detail", "It learns a permanent identifier for your account."}};
  }
  if (scope == "profile") {
    return {{"title", "See your name and username"}, {"detail", nullptr}};
  }
  if (scope == "email") {
    return {{"title", "See your email address"}, {"detail", "And whether it has been verified."}};
  }
  if (scope == "offline_access") {
    return {{"title", "Stay connected when you are away"},
            {"detail", "It keeps access after you sign out, until you revoke it."}};
  }
  return {{"title", "Use \u201c" + scope + "\u201d"},
          {"detail", "A permission of the application's own service."}};
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

SessionPolicy SessionPolicy::for_issuer(std::string_view issuer, std::chrono::seconds lifetime,
                                        std::chrono::seconds idle_timeout) {
  SessionPolicy p;
  p.lifetime = lifetime;
  p.idle_timeout = idle_timeout;
  p.anonymous_lifetime = std::min(p.anonymous_lifetime, idle_timeout);
  if (issuer.substr(0, 8) == "https://") {
    p.secure = true;
    p.cookie_name = "__Host-keyward_session";
    p.login_cookie_name = "__Host-keyward_login";
  }
  return p;
}

std::optional<storage::SessionRecord> current_session(const http::HttpRequest& request,
                                                      const BrowserFlow& flow) {
  const auto cookie = request.cookies.get(flow.policy.cookie_name);
  if (!cookie || !is_session_id(*cookie)) return std::nullopt;
  auto found = flow.sessions.touch(sha256(*cookie), flow.clock.now(), flow.policy.idle_timeout);
  if (!found.ok()) {
    flow.logger.error("session lookup failed",
                      {{"request_id", request.request_id}, {"detail", found.error().message}});
    return std::nullopt;
  }
  return std::move(found).value();
}

std::optional<std::string> login_csrf_secret(const http::HttpRequest& request,
                                             const SessionPolicy& policy) {
  const auto cookie = request.cookies.get(policy.login_cookie_name);
  if (!cookie || !is_session_id(*cookie)) return std::nullopt;
  return hmac_sha256(*cookie, kPreLoginSecretPurpose);
}

std::string login_csrf_secret_for_page(const http::HttpRequest& request,
                                       const SessionPolicy& policy, http::HttpResponse& response) {
  if (auto secret = login_csrf_secret(request, policy)) return std::move(*secret);
  const std::string value = random_token();
  std::string cookie = policy.login_cookie_name + "=" + value +
                       "; Path=/; Max-Age=" + std::to_string(policy.anonymous_lifetime.count()) +
                       "; HttpOnly; SameSite=Lax";
  if (policy.secure) cookie += "; Secure";
  response.headers.add("Set-Cookie", std::move(cookie));
  return hmac_sha256(value, kPreLoginSecretPurpose);
}

void set_session_cookie(http::HttpResponse& response, const SessionPolicy& policy,
                        std::string_view session_id, std::chrono::seconds max_age) {
  std::string value = policy.cookie_name + "=" + std::string(session_id) +
                      "; Path=/; Max-Age=" + std::to_string(max_age.count()) +
                      "; HttpOnly; SameSite=Lax";
  if (policy.secure) value += "; Secure";
  response.headers.add("Set-Cookie", std::move(value));
}

void clear_session_cookie(http::HttpResponse& response, const SessionPolicy& policy) {
  std::string value = policy.cookie_name + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax";
  if (policy.secure) value += "; Secure";
  response.headers.add("Set-Cookie", std::move(value));
}

void clear_login_cookie(http::HttpResponse& response, const SessionPolicy& policy) {
  std::string value = policy.login_cookie_name + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax";
  if (policy.secure) value += "; Secure";
  response.headers.add("Set-Cookie", std::move(value));
}

Result<RawParams, std::string> browser_params(const http::HttpRequest& request) {
  if (request.query_error) return err(*request.query_error);
  const http::FormParams* source = &request.query;
  http::FormParams body;
  if (request.method == http::Method::Post) {
    const auto content_type = request.headers.get("Content-Type");
    if (!content_type || !is_form_content_type(*content_type)) {
      return err(std::string("the form must be sent as application/x-www-form-urlencoded"));
    }
    auto parsed = http::parse_form_urlencoded(request.body);
    if (!parsed.ok()) return err("the form is malformed: " + parsed.error().message);
    body = std::move(parsed).value();
    source = &body;
  }
  RawParams out;
  for (const auto& p : source->items()) {
    if (std::find(std::begin(kOwnFields), std::end(kOwnFields), p.name) != std::end(kOwnFields)) {
      continue;
    }
    out.emplace_back(p.name, p.value);
  }
  return out;
}

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

http::HttpResponse redirect_to(std::string location, int status) {
  http::HttpResponse r;
  r.status = status;
  r.headers.set("Location", std::move(location));
  http::add_page_security_headers(r.headers);
  return r;
}

std::string with_query(std::string_view uri, const RawParams& params) {
  std::string out(uri);
  char separator = out.find('?') == std::string::npos ? '?' : '&';
  if (!out.empty() && (out.back() == '?' || out.back() == '&')) separator = '\0';
  for (const auto& [name, value] : params) {
    if (separator != '\0') out += separator;
    out += http::form_urlencode(name);
    out += '=';
    out += http::form_urlencode(value);
    separator = '&';
  }
  return out;
}

http::HttpResponse authorize_error(const BrowserFlow& flow, const http::HttpRequest& request,
                                   const grants::AuthorizeError& error) {
  if (!error.redirects()) return oauth_error_page(flow, request, error.error);
  log_oauth_error(error.error, request, flow.logger, "authorization error");
  const auto response = flow.authorizer.error_response(error);
  return redirect_to(with_query(response.redirect_uri, response.params),
                     request.method == http::Method::Post ? 303 : 302);
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

http::HttpResponse login_page(const BrowserFlow& flow, const AuthorizationRequest& r,
                              std::string_view login_csrf_secret, int status,
                              std::string_view username, std::string_view error) {
  json view = {{"title", "Sign in"},
               {"client_name", client_display_name(r.client)},
               {"csrf_token", csrf_token(login_csrf_secret)},
               {"params", hidden_fields(r.params)},
               {"username", username.empty() ? json(nullptr) : json(username)},
               {"error", error.empty() ? json(nullptr) : json(error)}};
  auto response = http::HttpResponse::html(status, flow.templates->render(Page::Login, view));
  allow_form_redirect(response, r.redirect_uri);
  response.log_client_id = r.client.id;
  return response;
}

http::HttpResponse consent_page(const BrowserFlow& flow, const http::HttpRequest& request,
                                const AuthorizationRequest& r,
                                const storage::SessionRecord& session) {
  std::string who;
  if (session.user_id) {
    auto user = flow.users.find_by_id(*session.user_id);
    if (user.ok() && *user) {
      const auto& u = **user;
      who = u.username;
      if (u.given_name || u.family_name) {
        std::string name = u.given_name.value_or("");
        if (u.family_name) name += (name.empty() ? "" : " ") + *u.family_name;
        who = name + " (" + u.username + ")";
      }
    }
  }
  // Who you are first, then what about you, then how long; the client's own scopes last.
  std::vector<std::string> ordered(r.scope.begin(), r.scope.end());
  auto rank = [](const std::string& s) {
    constexpr std::string_view kOrder[] = {"openid", "profile", "email", "offline_access"};
    for (size_t i = 0; i < std::size(kOrder); ++i) {
      if (s == kOrder[i]) return i;
    }
    return std::size(kOrder);
  };
  std::stable_sort(ordered.begin(), ordered.end(),
                   [&](const std::string& a, const std::string& b) { return rank(a) < rank(b); });
  json scopes = json::array();
  for (const auto& s : ordered) scopes.push_back(scope_view(s));
  json view = {
      {"title", "Allow access"},
      {"client_name", client_display_name(r.client)},
      {"account", who.empty() ? json(nullptr) : json(who)},
      {"initial", who.empty() ? json(nullptr)
                              : json(std::string(1, static_cast<char>(std::toupper(
                                                        static_cast<unsigned char>(who[0])))))},
      {"scopes", scopes},
      {"no_scopes", r.scope.empty()},
      {"redirect_host", uri_host(r.redirect_uri)},
      {"csrf_token", csrf_token(session.csrf_secret)},
      {"params", hidden_fields(r.params)}};
  auto response = http::HttpResponse::html(200, flow.templates->render(Page::Consent, view));
  allow_form_redirect(response, r.redirect_uri);
  response.log_client_id = r.client.id;
  (void)request;
  return response;
}

http::HttpResponse continue_authorization(const BrowserFlow& flow, const http::HttpRequest& request,
                                          const AuthorizationRequest& r,
                                          const std::optional<storage::SessionRecord>& s) {
  std::optional<grants::SignedIn> signed_in;
  if (s && s->user_id && s->auth_time) {
    signed_in = grants::SignedIn{*s->user_id, *s->auth_time, s->id_hash};
  }
  auto step = flow.authorizer.next_step(r, signed_in);
  if (!step.ok()) return authorize_error(flow, request, step.error());
  switch (*step) {
    case grants::NextStep::Login: {
      http::HttpResponse cookies;
      const auto secret = login_csrf_secret_for_page(request, flow.policy, cookies);
      auto page = login_page(flow, r, secret, 200, r.login_hint.value_or(""), "");
      for (const auto& cookie : cookies.headers.get_all("Set-Cookie")) {
        page.headers.add("Set-Cookie", std::string(cookie));
      }
      return page;
    }
    case grants::NextStep::Consent:
      return consent_page(flow, request, r, *s);
    case grants::NextStep::IssueCode:
      break;
  }
  auto issued = flow.authorizer.issue_code(r, *signed_in);
  if (!issued.ok()) return authorize_error(flow, request, issued.error());
  auto response = redirect_to(with_query(issued->redirect_uri, issued->params),
                              request.method == http::Method::Post ? 303 : 302);
  response.log_client_id = r.client.id;
  return response;
}

http::HttpResponse handle_authorize(const http::HttpRequest& request, const BrowserFlow& flow) {
  auto params = browser_params(request);
  if (!params.ok()) {
    return oauth_error_page(flow, request, OAuthError::invalid_request(params.error()));
  }
  auto validated = flow.authorizer.validate(*params);
  if (!validated.ok()) return authorize_error(flow, request, validated.error());
  return continue_authorization(flow, request, *validated, current_session(request, flow));
}

void add_authorize_routes(http::Router& router, const std::shared_ptr<const BrowserFlow>& flow) {
  for (http::Method method : {http::Method::Get, http::Method::Post}) {
    router.add(
        method, std::string(kAuthorizePath),
        [flow](const http::HttpRequest& request) { return handle_authorize(request, *flow); },
        http::Execution::Worker, http::QueryErrors::ToHandler);
  }
  router.add(http::Method::Get, std::string(kStylesheetPath), [flow](const http::HttpRequest&) {
    http::HttpResponse r;
    r.headers.set("Content-Type", "text/css; charset=utf-8");
    r.headers.set("Cache-Control", "public, max-age=3600");
    r.body = flow->templates->stylesheet();
    return r;
  });
}

}  // namespace keyward::server
