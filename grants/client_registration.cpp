#include "grants/client_registration.h"

#include "common/text.h"

#include <algorithm>

#include "grants/redirect_uri.h"
#include "grants/scope.h"
#include "grants/wire.h"

namespace keyward::grants {

namespace {

constexpr size_t kMaxName = 200;
constexpr size_t kMaxListItem = 2000;

std::vector<std::string> unique(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const auto& item : items) {
    if (std::find(out.begin(), out.end(), item) == out.end()) out.push_back(item);
  }
  return out;
}

bool contains(const std::vector<std::string>& items, std::string_view item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

// `prefix` is "" or "post-logout ": the problems redirect_uri_problem() names begin
// with "redirect URI".
std::optional<OAuthError> check_uris(const std::vector<std::string>& uris,
                                     std::string_view prefix) {
  for (const auto& uri : uris) {
    if (auto problem = redirect_uri_problem(uri)) {
      return OAuthError::invalid_redirect_uri(std::string(prefix) + *problem + ": '" + uri + "'");
    }
  }
  return std::nullopt;
}

}  // namespace

OAuthResult<Client> validate_client_registration(const ClientRegistration& request) {
  Client client;

  if (request.name.empty())
    return err(OAuthError::invalid_client_metadata("the client needs a name"));
  if (request.name.size() > kMaxName) {
    return err(OAuthError::invalid_client_metadata("the name is longer than " +
                                                   std::to_string(kMaxName) + " characters"));
  }
  if (has_control(request.name)) {
    return err(OAuthError::invalid_client_metadata("the name contains control characters"));
  }
  client.name = request.name;

  client.grant_types = unique(request.grant_types);
  if (client.grant_types.empty()) {
    return err(OAuthError::invalid_client_metadata(
        "the client needs at least one grant type (authorization_code, refresh_token, "
        "client_credentials, password)"));
  }
  for (const auto& grant : client.grant_types) {
    if (std::find(std::begin(kGrantTypes), std::end(kGrantTypes), grant) == std::end(kGrantTypes)) {
      return err(OAuthError::invalid_client_metadata("unknown grant type '" + grant +
                                                     "' (known: authorization_code, refresh_token, "
                                                     "client_credentials, password)"));
    }
  }
  if (contains(client.grant_types, wire::kRefreshToken) &&
      !contains(client.grant_types, wire::kAuthorizationCode) &&
      !contains(client.grant_types, wire::kPassword)) {
    return err(OAuthError::invalid_client_metadata(
        "refresh_token needs authorization_code or password: only those grants issue "
        "refresh tokens"));
  }

  client.confidential = !request.public_client;
  // RFC 6749 §4.4: the client credentials grant is for confidential clients only: a
  // public client has no credentials to grant anything on.
  if (!client.confidential && contains(client.grant_types, wire::kClientCredentials)) {
    return err(OAuthError::invalid_client_metadata(
        "a public client cannot use client_credentials (RFC 6749 §4.4): it has no secret "
        "to authenticate with"));
  }

  // RFC 9700 §2.4: the password grant MUST NOT be used; where Keyward allows it at all,
  // it is for confidential first-party clients. A public client cannot authenticate, so
  // anybody could present users' passwords in its name.
  if (!client.confidential && contains(client.grant_types, wire::kPassword)) {
    return err(OAuthError::invalid_client_metadata(
        "a public client cannot use the password grant (RFC 9700 §2.4): it is only for "
        "confidential first-party clients; use authorization_code with PKCE"));
  }

  client.token_endpoint_auth_method = request.token_endpoint_auth_method.value_or(
      std::string(client.confidential ? wire::kClientSecretBasic : wire::kAuthMethodNone));
  const auto& method = client.token_endpoint_auth_method;
  if (method != wire::kClientSecretBasic && method != wire::kClientSecretPost &&
      method != wire::kAuthMethodNone) {
    return err(OAuthError::invalid_client_metadata(
        "unknown token_endpoint_auth_method '" + method +
        "' (known: client_secret_basic, client_secret_post, none)"));
  }
  if (client.confidential && method == wire::kAuthMethodNone) {
    return err(OAuthError::invalid_client_metadata(
        "token_endpoint_auth_method none is for public clients: register the client as "
        "public, or use client_secret_basic or client_secret_post"));
  }
  if (!client.confidential && method != wire::kAuthMethodNone) {
    return err(OAuthError::invalid_client_metadata(
        "a public client has no secret, so its token_endpoint_auth_method "
        "must be none, not " +
        method));
  }

  auto scopes = parse_scope(request.scope);
  if (!scopes) {
    return err(OAuthError::invalid_client_metadata(
        "the scope must be space-separated tokens of printable ASCII without '\"' or '\\', "
        "separated by single spaces (RFC 6749 §3.3)"));
  }
  client.scopes.assign(scopes->begin(), scopes->end());

  client.redirect_uris = unique(request.redirect_uris);
  client.post_logout_redirect_uris = unique(request.post_logout_redirect_uris);
  const bool code_flow = contains(client.grant_types, wire::kAuthorizationCode);
  if (code_flow && client.redirect_uris.empty()) {
    return err(OAuthError::invalid_redirect_uri(
        "authorization_code needs at least one redirect URI: the authorization server "
        "redirects only to registered URIs (RFC 6749 §3.1.2.2)"));
  }
  if (!code_flow && !client.redirect_uris.empty()) {
    return err(OAuthError::invalid_redirect_uri(
        "redirect URIs are only used by the authorization_code grant"));
  }
  if (!code_flow && !client.post_logout_redirect_uris.empty()) {
    return err(OAuthError::invalid_redirect_uri(
        "post-logout redirect URIs are only used by clients that sign users in "
        "(authorization_code)"));
  }
  if (auto problem = check_uris(client.redirect_uris, "")) return err(*problem);
  if (auto problem = check_uris(client.post_logout_redirect_uris, "post-logout ")) {
    return err(*problem);
  }

  client.audiences = unique(request.audiences);
  for (const auto& audience : client.audiences) {
    if (audience.empty())
      return err(OAuthError::invalid_client_metadata("an audience cannot be empty"));
    if (audience.size() > kMaxListItem) {
      return err(OAuthError::invalid_client_metadata("an audience is longer than " +
                                                     std::to_string(kMaxListItem) + " characters"));
    }
    if (has_space_or_control(audience)) {
      return err(OAuthError::invalid_client_metadata("audience '" + audience +
                                                     "' contains spaces or control characters"));
    }
  }

  client.first_party = request.first_party;

  // RFC 7662 §2.1: the introspection endpoint authenticates its caller.
  if (request.may_introspect && !client.confidential) {
    return err(OAuthError::invalid_client_metadata(
        "a public client cannot introspect: the introspection endpoint needs a client secret"));
  }
  client.may_introspect = request.may_introspect;
  return client;
}

}  // namespace keyward::grants
