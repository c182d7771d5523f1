#include "federation/upstream_client.h"

#include <algorithm>

#include "common/base64url.h"
#include "common/crypto.h"
#include "common/text.h"
#include "federation/id_token_check.h"
#include "federation/identity_claims.h"
#include "http/form.h"

namespace keyward::federation {
namespace {

using nlohmann::json;
using Kind = UpstreamError::Kind;

UpstreamError fail(Kind kind, std::string detail) {
  return UpstreamError{kind, std::move(detail)};
}

// An upstream's error code as it may appear in our log: RFC 6749 §4.1.2.1 codes are
// printable ASCII; anything else (or anything long) is not quoted.
std::string loggable_code(std::string_view code) {
  if (code.empty() || code.size() > 64 || !is_vschar(code) || code.find('"') != code.npos) {
    return "(unprintable)";
  }
  return std::string(code);
}

// RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))).
std::string s256_challenge(std::string_view verifier) {
  return base64url_encode(sha256(verifier));
}

// RFC 7617 §2 wants standard base64 with padding; base64url differs only in two characters.
std::string base64_standard(std::string_view bytes) {
  std::string out = base64url_encode(bytes);
  std::replace(out.begin(), out.end(), '-', '+');
  std::replace(out.begin(), out.end(), '_', '/');
  while (out.size() % 4 != 0) out += '=';
  return out;
}

// RFC 6749 §2.3.1: the client id and secret are form-urlencoded before they are joined and
// base64-encoded (a ':' or '+' in either would otherwise be misread).
std::string basic_credentials(std::string_view client_id, std::string_view secret) {
  return "Basic " +
         base64_standard(http::form_urlencode(client_id) + ":" + http::form_urlencode(secret));
}

void add_param(std::string& query, std::string_view name, std::string_view value) {
  if (!query.empty()) query += '&';
  query += name;
  query += '=';
  query += http::form_urlencode(value);
}

std::string join_scopes(const std::vector<std::string>& scopes) {
  std::string joined;
  for (const auto& scope : scopes) {
    if (!joined.empty()) joined += ' ';
    joined += scope;
  }
  return joined;
}

// A bearer token we may put in an Authorization header: printable, no spaces (RFC 6750 §2.1
// b64token is narrower still; this is what keeps a header line a single line).
bool usable_bearer(std::string_view token) {
  return !token.empty() && token.size() <= std::size_t{16} * 1024 && is_vschar(token) &&
         token.find(' ') == token.npos;
}

}  // namespace

FlowSecrets FlowSecrets::generate() {
  return FlowSecrets{random_token(), random_token(), random_token()};
}

UpstreamClient::UpstreamClient(ProviderSettings settings, rs::HttpFetcher& fetcher,
                               UpstreamPoster& poster, const Clock& clock, UpstreamOptions options,
                               rs::JwksEventSink jwks_events)
    : settings_(std::move(settings)),
      fetcher_(fetcher),
      poster_(poster),
      clock_(clock),
      options_(std::move(options)),
      jwks_events_(std::move(jwks_events)) {}

Result<std::shared_ptr<const UpstreamClient::Discovered>, UpstreamError>
UpstreamClient::discovered() {
  std::lock_guard lock(discovery_mutex_);
  const TimePoint now = clock_.now();
  if (discovered_ && now - discovered_->fetched_at < options_.metadata_ttl) return discovered_;
  if (last_failure_ && now - *last_failure_ < options_.retry_interval) {
    if (discovered_) return discovered_;
    return err(last_error_);
  }
  auto fetched = fetch_upstream_metadata(fetcher_, settings_.issuer);
  if (!fetched.ok()) {
    last_failure_ = now;
    last_error_ = fail(fetched.error().unreachable ? Kind::Unreachable : Kind::InvalidResponse,
                       "discovery of " + settings_.issuer + " failed: " + fetched.error().message);
    // A document we had stays in use: the upstream's endpoints rarely move, and a short
    // outage of its discovery must not stop every sign-in.
    if (discovered_) return discovered_;
    return err(last_error_);
  }
  last_failure_.reset();
  auto next = std::make_shared<Discovered>();
  next->metadata = std::move(fetched).value();
  next->fetched_at = now;
  if (discovered_ && discovered_->metadata.jwks_uri == next->metadata.jwks_uri) {
    next->keys = discovered_->keys;  // keep the cached keys
  } else {
    rs::JwksCacheOptions jwks;
    jwks.issuer = settings_.issuer;
    jwks.jwks_uri = next->metadata.jwks_uri;
    next->keys = std::make_shared<rs::JwksCache>(fetcher_, clock_, jwks, jwks_events_);
  }
  discovered_ = next;
  return discovered_;
}

Result<std::string, UpstreamError> UpstreamClient::authorization_url(const FlowSecrets& secrets,
                                                                     const Freshness& freshness) {
  auto upstream = discovered();
  if (!upstream.ok()) return err(std::move(upstream).error());
  const std::string& endpoint = (*upstream)->metadata.authorization_endpoint;
  std::string query;
  add_param(query, "response_type", "code");
  add_param(query, "client_id", settings_.client_id);
  add_param(query, "redirect_uri", options_.redirect_uri);
  add_param(query, "scope", join_scopes(settings_.scopes));
  add_param(query, "state", secrets.state);
  add_param(query, "nonce", secrets.nonce);
  add_param(query, "code_challenge", s256_challenge(secrets.code_verifier));
  add_param(query, "code_challenge_method", "S256");
  // OIDC Core §3.1.2.1: what the Keyward client asked of the sign-in, asked of the upstream
  // (whose sign-in is the one Keyward records).
  if (freshness.login) add_param(query, "prompt", "login");
  if (freshness.max_age) add_param(query, "max_age", std::to_string(freshness.max_age->count()));
  // RFC 6749 §3.1: the endpoint may carry a query of its own, which must be kept.
  return endpoint + (endpoint.find('?') == std::string::npos ? "?" : "&") + query;
}

std::string UpstreamClient::authorization_origin() {
  std::string endpoint = settings_.issuer;
  {
    std::lock_guard lock(discovery_mutex_);
    if (discovered_) endpoint = discovered_->metadata.authorization_endpoint;
  }
  // scheme://authority: up to the first '/', '?' or '#' after "://".
  const auto scheme_end = endpoint.find("://");
  if (scheme_end == std::string::npos) return endpoint;
  return endpoint.substr(0, endpoint.find_first_of("/?#", scheme_end + 3));
}

Result<UpstreamIdentity, UpstreamError> UpstreamClient::finish(const CallbackParams& callback,
                                                               const FlowSecrets& secrets,
                                                               const Freshness& freshness) {
  auto upstream = discovered();
  if (!upstream.ok()) return err(std::move(upstream).error());
  const UpstreamMetadata& metadata = (*upstream)->metadata;

  // RFC 9207 §2.4: before anything else in the response (errors included) is acted on, an
  // iss parameter must name this upstream; one that advertises it must always send it. This
  // is what tells a response from this upstream apart from one a mix-up attacker relayed.
  if (callback.iss) {
    if (*callback.iss != settings_.issuer) {
      return err(
          fail(Kind::InvalidResponse, "the authorization response's iss names another issuer"));
    }
  } else if (metadata.iss_parameter_supported) {
    return err(fail(Kind::InvalidResponse,
                    "the authorization response has no iss although the upstream advertises "
                    "authorization_response_iss_parameter_supported"));
  }
  if (callback.error) {
    // RFC 6749 §4.1.2.1: access_denied is the user (or the upstream) saying no.
    if (*callback.error == "access_denied") {
      return err(fail(Kind::Cancelled, "the upstream answered error=access_denied"));
    }
    return err(
        fail(Kind::Refused, "the upstream answered error=" + loggable_code(*callback.error)));
  }
  if (!callback.code || callback.code->empty()) {
    return err(
        fail(Kind::InvalidResponse, "the authorization response has neither code nor error"));
  }

  auto tokens = redeem_code(metadata, *callback.code, secrets);
  if (!tokens.ok()) return err(std::move(tokens).error());
  auto claims = verify_id_token(**upstream, tokens->id_token, secrets);
  if (!claims.ok()) return err(std::move(claims).error());
  UpstreamIdentity identity = identity_from_claims(settings_.name, *claims);
  auto fresh = check_freshness(*claims, freshness, identity);
  if (!fresh.ok()) return err(std::move(fresh).error());
  // OIDC Core §5.4: some upstreams put the e-mail in userinfo only.
  if (!identity.email && metadata.userinfo_endpoint) {
    auto completed =
        complete_from_userinfo(*metadata.userinfo_endpoint, tokens->access_token, identity);
    if (!completed.ok()) return err(std::move(completed).error());
  }
  return identity;
}

Result<Unit, UpstreamError> UpstreamClient::check_freshness(const json& claims,
                                                            const Freshness& freshness,
                                                            UpstreamIdentity& identity) const {
  const auto auth_time = claims.find("auth_time");
  if (auth_time != claims.end()) {
    // OIDC Core §2: a JSON number of seconds since the epoch.
    if (!auth_time->is_number_integer() && !auth_time->is_number_unsigned()) {
      return err(fail(Kind::InvalidIdToken, "the ID token's auth_time is not a number"));
    }
    identity.auth_time = TimePoint(std::chrono::seconds(auth_time->get<long long>()));
  }
  const TimePoint now = clock_.now();
  if (freshness.max_age) {
    // OIDC Core §3.1.2.1: with max_age, auth_time is REQUIRED.
    if (!identity.auth_time) {
      return err(fail(Kind::NotFresh, "max_age was sent but the ID token has no auth_time"));
    }
    if (now - *identity.auth_time > *freshness.max_age + options_.leeway) {
      return err(fail(Kind::NotFresh, "the upstream's auth_time is older than max_age"));
    }
  }
  if (freshness.login && identity.auth_time &&
      *identity.auth_time < freshness.requested_at - options_.leeway) {
    return err(
        fail(Kind::NotFresh, "prompt=login was sent but the upstream did not sign in again"));
  }
  return Unit{};
}

Result<UpstreamClient::Tokens, UpstreamError> UpstreamClient::redeem_code(
    const UpstreamMetadata& metadata, const std::string& code, const FlowSecrets& secrets) {
  // RFC 6749 §4.1.3 with RFC 7636 §4.5.
  std::string form;
  add_param(form, "grant_type", "authorization_code");
  add_param(form, "code", code);
  add_param(form, "redirect_uri", options_.redirect_uri);
  add_param(form, "code_verifier", secrets.code_verifier);
  std::string authorization;
  if (metadata.client_auth == ClientAuthMethod::ClientSecretBasic) {
    authorization = basic_credentials(settings_.client_id, settings_.client_secret);
  } else {
    add_param(form, "client_id", settings_.client_id);
    add_param(form, "client_secret", settings_.client_secret);
  }
  auto response = poster_.post_form(metadata.token_endpoint, form, authorization);
  if (!response.ok()) {
    return err(fail(Kind::Unreachable, "token endpoint: " + response.error()));
  }
  const std::string status = "token endpoint answered HTTP " + std::to_string(response->status);
  if (response->status >= 500) return err(fail(Kind::Unreachable, status));
  const json body = json::parse(response->body, nullptr, false);
  if (response->status >= 400) {
    // RFC 6749 §5.2: invalid_grant (a code used twice, expired, or a wrong verifier),
    // invalid_client (our secret is wrong): the upstream said no.
    const auto code_field = body.is_object() ? body.find("error") : body.end();
    const std::string error_code =
        body.is_object() && code_field != body.end() && code_field->is_string()
            ? loggable_code(code_field->get<std::string>())
            : "(none)";
    return err(fail(Kind::Refused, status + " error=" + error_code));
  }
  if (response->status != 200) return err(fail(Kind::InvalidResponse, status));
  if (!body.is_object()) return err(fail(Kind::InvalidResponse, "the token response is not JSON"));
  // RFC 6749 §5.1 and OIDC Core §3.1.3.3: token_type Bearer (case-insensitively), an
  // access_token, and an id_token since we asked for openid.
  const auto token_type = body.find("token_type");
  if (token_type == body.end() || !token_type->is_string() ||
      !iequals(token_type->get<std::string>(), "Bearer")) {
    return err(fail(Kind::InvalidResponse, "the token response's token_type is not Bearer"));
  }
  const auto id_token = body.find("id_token");
  if (id_token == body.end() || !id_token->is_string()) {
    return err(fail(Kind::InvalidResponse, "the token response has no id_token"));
  }
  const auto access_token = body.find("access_token");
  if (access_token == body.end() || !access_token->is_string() ||
      !usable_bearer(access_token->get<std::string>())) {
    return err(fail(Kind::InvalidResponse, "the token response has no usable access_token"));
  }
  return Tokens{id_token->get<std::string>(), access_token->get<std::string>()};
}

Result<json, UpstreamError> UpstreamClient::verify_id_token(const Discovered& upstream,
                                                            const std::string& id_token,
                                                            const FlowSecrets& secrets) {
  auto keys = upstream.keys->get();
  if (!keys.ok()) {
    return err(fail(Kind::Unreachable, "the upstream's JWKS: " + keys.error()));
  }
  const IdTokenExpectations expected{settings_.issuer, settings_.client_id, secrets.nonce,
                                     clock_.now(), options_.leeway};
  auto checked = check_id_token(id_token, **keys, expected);
  // The upstream may have rotated its keys since we fetched them: one refetch (which the
  // cache rate-limits, so forged kids cannot make us hammer the upstream).
  if (!checked.ok() && checked.error().kid_unknown()) {
    if (auto newer = upstream.keys->refetch_for_unknown_kid(*keys)) {
      checked = check_id_token(id_token, **newer, expected);
    }
  }
  if (!checked.ok()) return err(fail(Kind::InvalidIdToken, checked.error().describe()));
  return std::move(checked).value();
}

Result<Unit, UpstreamError> UpstreamClient::complete_from_userinfo(const std::string& endpoint,
                                                                   const std::string& access_token,
                                                                   UpstreamIdentity& identity) {
  auto response = poster_.get_authorized(endpoint, "Bearer " + access_token);
  if (!response.ok()) return err(fail(Kind::Unreachable, "userinfo: " + response.error()));
  const std::string status = "userinfo answered HTTP " + std::to_string(response->status);
  if (response->status >= 500) return err(fail(Kind::Unreachable, status));
  if (response->status != 200) return err(fail(Kind::InvalidResponse, status));
  const json body = json::parse(response->body, nullptr, false);
  if (!body.is_object()) return err(fail(Kind::InvalidResponse, "userinfo is not a JSON object"));
  // OIDC Core §5.3.2: a userinfo response about someone else must not be used (a token
  // substitution attack would otherwise graft another account's e-mail on this identity).
  const auto sub = body.find("sub");
  if (sub == body.end() || !sub->is_string() || sub->get<std::string>() != identity.subject) {
    return err(fail(Kind::InvalidResponse, "userinfo's sub is not the ID token's"));
  }
  complete_identity(identity, body);
  return Unit{};
}

}  // namespace keyward::federation
