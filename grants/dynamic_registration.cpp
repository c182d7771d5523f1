#include "grants/dynamic_registration.h"

#include <algorithm>
#include <cctype>

#include "common/crypto.h"
#include "common/text.h"
#include "grants/client_registration.h"
#include "grants/client_secret.h"
#include "grants/client_storage_failure.h"
#include "grants/scope.h"
#include "grants/wire.h"

namespace keyward::grants {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// RFC 7591 §2 and §3.2.1 member names, and RFC 7592 §3's.
namespace name {
constexpr const char* kRedirectUris = "redirect_uris";
constexpr const char* kPostLogoutRedirectUris = "post_logout_redirect_uris";  // RP-Initiated Logout
constexpr const char* kTokenEndpointAuthMethod = "token_endpoint_auth_method";
constexpr const char* kGrantTypes = "grant_types";
constexpr const char* kResponseTypes = "response_types";
constexpr const char* kClientName = "client_name";
constexpr const char* kClientUri = "client_uri";
constexpr const char* kLogoUri = "logo_uri";
constexpr const char* kScope = "scope";
constexpr const char* kContacts = "contacts";
constexpr const char* kTosUri = "tos_uri";
constexpr const char* kPolicyUri = "policy_uri";
constexpr const char* kJwksUri = "jwks_uri";
constexpr const char* kSoftwareId = "software_id";
constexpr const char* kSoftwareVersion = "software_version";
constexpr const char* kClientId = "client_id";
constexpr const char* kClientSecret = "client_secret";
constexpr const char* kClientIdIssuedAt = "client_id_issued_at";
constexpr const char* kClientSecretExpiresAt = "client_secret_expires_at";
constexpr const char* kRegistrationAccessToken = "registration_access_token";
constexpr const char* kRegistrationClientUri = "registration_client_uri";
}  // namespace name

constexpr std::size_t kMaxUri = 2000;
constexpr std::size_t kMaxListItems = 20;
constexpr std::size_t kMaxShortText = 200;
constexpr std::size_t kMaxContact = 320;  // an e-mail address at most

OAuthError bad(std::string description) {
  return OAuthError::invalid_client_metadata(std::move(description));
}

// A string member, nullopt when absent or null.
OAuthResult<std::optional<std::string>> string_member(const json& doc, const char* key) {
  const auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) return std::optional<std::string>{};
  if (!it->is_string()) return err(bad(std::string(key) + " must be a string"));
  return std::optional<std::string>(it->get<std::string>());
}

// An array-of-strings member, nullopt when absent or null.
OAuthResult<std::optional<std::vector<std::string>>> list_member(const json& doc, const char* key,
                                                                 std::size_t max_items) {
  const auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) return std::optional<std::vector<std::string>>{};
  if (!it->is_array()) return err(bad(std::string(key) + " must be an array of strings"));
  if (it->size() > max_items) {
    return err(bad(std::string(key) + " has more than " + std::to_string(max_items) + " entries"));
  }
  std::vector<std::string> out;
  for (const auto& item : *it) {
    if (!item.is_string()) return err(bad(std::string(key) + " must be an array of strings"));
    out.push_back(item.get<std::string>());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

bool contains(const std::vector<std::string>& items, std::string_view item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

std::optional<OAuthError> short_text_problem(const std::optional<std::string>& value,
                                             const char* key) {
  if (!value) return std::nullopt;
  if (value->empty() || value->size() > kMaxShortText || has_control(*value)) {
    return bad(std::string(key) + " must be 1 to " + std::to_string(kMaxShortText) +
               " characters without control characters");
  }
  return std::nullopt;
}

// 128 random bits, base64url, starting with a letter or digit (like `keyward client
// create`'s, so an id never reads as a command-line option).
std::string new_client_id() {
  for (;;) {
    std::string id = random_token(16);
    if (std::isalnum(static_cast<unsigned char>(id.front()))) return id;
  }
}

storage::ClientRecord to_record(const Client& client) {
  storage::ClientRecord record;
  record.client_id = client.id;
  record.name = client.name;
  record.confidential = client.confidential;
  record.first_party = false;
  record.token_endpoint_auth_method = client.token_endpoint_auth_method;
  record.grant_types = client.grant_types;
  record.scopes = client.scopes;
  record.redirect_uris = client.redirect_uris;
  record.post_logout_redirect_uris = client.post_logout_redirect_uris;
  record.may_introspect = false;
  return record;
}

OAuthError token_refused() {
  return OAuthError::invalid_token("the access token is missing, unknown, expired or used up");
}

}  // namespace

std::optional<std::string> metadata_uri_problem(std::string_view uri) {
  if (uri.size() > kMaxUri) return "is longer than " + std::to_string(kMaxUri) + " characters";
  if (has_space_or_control(uri) || !is_utf8(uri)) {
    return std::string("contains spaces or control characters");
  }
  constexpr std::string_view kHttps = "https://";
  if (uri.size() < kHttps.size() || !iequals(uri.substr(0, kHttps.size()), kHttps)) {
    return std::string("must be an https URI");
  }
  const std::string_view rest = uri.substr(kHttps.size());
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.empty() || authority.front() == ':') return std::string("has no host");
  if (authority.find('@') != std::string_view::npos) {
    return std::string("must not carry user information");
  }
  return std::nullopt;
}

std::string registration_token_hash(std::string_view token) {
  return sha256(token);
}

OAuthResult<ClientMetadata> read_client_metadata(std::string_view body, RegistrationPolicy policy) {
  const json doc = json::parse(body.begin(), body.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return err(bad("the body must be a JSON object of client metadata (RFC 7591 §2)"));
  }
  ClientMetadata out;
  ClientRegistration registration;

  auto name = string_member(doc, name::kClientName);
  if (!name.ok()) return err(name.error());
  if (!*name) return err(bad("client_name is required: the consent page shows it to users"));
  registration.name = **name;

  auto grant_types = list_member(doc, name::kGrantTypes, kMaxListItems);
  if (!grant_types.ok()) return err(grant_types.error());
  registration.grant_types =
      grant_types->value_or(std::vector<std::string>{std::string(wire::kAuthorizationCode)});
  if (contains(registration.grant_types, wire::kPassword)) {
    return err(
        bad("the password grant cannot be registered dynamically: it is only for the operator's "
            "own first-party clients (RFC 9700 §2.4)"));
  }
  if (policy == RegistrationPolicy::Open &&
      contains(registration.grant_types, wire::kClientCredentials)) {
    return err(
        bad("open registration is for clients that sign users in: client_credentials needs an "
            "initial access token"));
  }
  const bool code_flow = contains(registration.grant_types, wire::kAuthorizationCode);

  auto response_types = list_member(doc, name::kResponseTypes, kMaxListItems);
  if (!response_types.ok()) return err(response_types.error());
  const std::vector<std::string> responses = response_types->value_or(
      code_flow ? std::vector<std::string>{std::string(wire::kCode)} : std::vector<std::string>{});
  for (const auto& type : responses) {
    if (type != wire::kCode) {
      return err(bad("response_type '" + type + "' is not supported: only code"));
    }
  }
  // RFC 7591 §2.1: "code" goes with authorization_code.
  if (code_flow != contains(responses, wire::kCode)) {
    return err(bad(code_flow ? "grant type authorization_code needs response type code"
                             : "response type code needs grant type authorization_code"));
  }

  auto method = string_member(doc, name::kTokenEndpointAuthMethod);
  if (!method.ok()) return err(method.error());
  registration.token_endpoint_auth_method = method->value_or(std::string(wire::kClientSecretBasic));
  registration.public_client = registration.token_endpoint_auth_method == wire::kAuthMethodNone;

  auto scope = string_member(doc, name::kScope);
  if (!scope.ok()) return err(scope.error());
  registration.scope = scope->value_or(code_flow ? std::string(kOpenIdScope) : std::string());
  // The admin API's scopes are the operator's to give (docs/admin-api.md), whatever the
  // policy: an initial access token is not admin power.
  if (auto scopes = parse_scope(registration.scope)) {
    for (const auto& s : *scopes) {
      if (is_admin_scope(s)) {
        return err(bad("the scope '" + s + "' is the admin API's: only the operator grants it"));
      }
    }
  }
  if (policy == RegistrationPolicy::Open) {
    if (auto scopes = parse_scope(registration.scope)) {
      for (const auto& s : *scopes) {
        if (std::find(kKnownScopes.begin(), kKnownScopes.end(), s) == kKnownScopes.end()) {
          return err(
              bad("open registration allows only the scopes openid, profile, email and "
                  "offline_access, not '" +
                  s + "'"));
        }
      }
    }
  }

  auto redirects = list_member(doc, name::kRedirectUris, kMaxListItems);
  if (!redirects.ok()) return err(redirects.error());
  registration.redirect_uris = redirects->value_or(std::vector<std::string>{});
  auto post_logout = list_member(doc, name::kPostLogoutRedirectUris, kMaxListItems);
  if (!post_logout.ok()) return err(post_logout.error());
  registration.post_logout_redirect_uris = post_logout->value_or(std::vector<std::string>{});

  auto client = validate_client_registration(registration);
  if (!client.ok()) return err(client.error());
  out.client = std::move(client).value();

  // The metadata Keyward keeps only to answer with.
  auto& m = out.metadata;
  const std::pair<const char*, std::optional<std::string>*> uris[] = {
      {name::kClientUri, &m.client_uri},
      {name::kLogoUri, &m.logo_uri},
      {name::kPolicyUri, &m.policy_uri},
      {name::kTosUri, &m.tos_uri},
      {name::kJwksUri, &m.jwks_uri}};
  for (const auto& [key, slot] : uris) {
    auto value = string_member(doc, key);
    if (!value.ok()) return err(value.error());
    if (*value) {
      if (auto problem = metadata_uri_problem(**value)) {
        return err(bad(std::string(key) + " " + *problem));
      }
    }
    *slot = std::move(value).value();
  }
  if (doc.contains("jwks")) {
    return err(bad("jwks is not supported: Keyward authenticates clients by secret only"));
  }
  auto contacts = list_member(doc, name::kContacts, kMaxListItems);
  if (!contacts.ok()) return err(contacts.error());
  for (const auto& contact : contacts->value_or(std::vector<std::string>{})) {
    if (contact.empty() || contact.size() > kMaxContact || has_control(contact)) {
      return err(bad("each contact must be 1 to " + std::to_string(kMaxContact) +
                     " characters without control characters"));
    }
    if (!contains(m.contacts, contact)) m.contacts.push_back(contact);
  }
  for (const auto& [key, slot] : {std::pair{name::kSoftwareId, &m.software_id},
                                  std::pair{name::kSoftwareVersion, &m.software_version}}) {
    auto value = string_member(doc, key);
    if (!value.ok()) return err(value.error());
    if (auto problem = short_text_problem(*value, key)) return err(*problem);
    *slot = std::move(value).value();
  }

  auto client_id = string_member(doc, name::kClientId);
  if (!client_id.ok()) return err(client_id.error());
  out.client_id = std::move(client_id).value();
  auto client_secret = string_member(doc, name::kClientSecret);
  if (!client_secret.ok()) return err(client_secret.error());
  out.client_secret = std::move(client_secret).value();
  return out;
}

DynamicRegistration::DynamicRegistration(storage::DynamicClientRepository& clients,
                                         storage::RegistrationTokenRepository& tokens,
                                         const Clock& clock, RegistrationSettings settings,
                                         std::function<void(const std::string&)> client_changed)
    : clients_(clients),
      tokens_(tokens),
      clock_(clock),
      settings_(std::move(settings)),
      client_changed_(std::move(client_changed)) {}

OAuthResult<Unit> DynamicRegistration::admit(
    const std::optional<std::string>& initial_token) const {
  if (settings_.policy == RegistrationPolicy::Open) return Unit{};
  if (!initial_token) return err(token_refused());
  auto found = tokens_.find_usable(registration_token_hash(*initial_token), clock_.now());
  if (!found.ok()) return err(storage_failure(found.error(), "initial access token lookup"));
  if (!*found) return err(token_refused());
  return Unit{};
}

OAuthResult<RegistrationAnswer> DynamicRegistration::register_client(
    std::string_view body, const std::optional<std::string>& initial_token) const {
  if (auto admitted = admit(initial_token); !admitted.ok()) return err(admitted.error());
  auto metadata = read_client_metadata(body, settings_.policy);
  if (!metadata.ok()) return err(metadata.error());

  Client& client = metadata->client;
  client.id = new_client_id();
  storage::ClientRecord record = to_record(client);
  std::optional<NewClientSecret> secret;
  if (record.confidential) {
    secret = generate_client_secret(settings_.client_secret_key);
    record.secret_hmac = secret->hmac;
  }
  const std::string access_token = random_token(32);
  std::optional<std::string> initial_hash;
  if (settings_.policy == RegistrationPolicy::InitialAccessToken) {
    initial_hash = registration_token_hash(*initial_token);
  }
  auto stored = clients_.insert(record, metadata->metadata, registration_token_hash(access_token),
                                initial_hash, clock_.now());
  if (!stored.ok()) return err(storage_failure(stored.error(), "client registration"));
  // Spent or expired between admit() and now: nothing was stored.
  const auto* registered = std::get_if<storage::RegisteredClientRecord>(&stored.value());
  if (registered == nullptr) return err(token_refused());

  RegistrationAnswer answer{registered->client.client_id, describe(*registered, access_token)};
  if (secret) {
    // RFC 7591 §3.2.1: right after client_id, and never again.
    ordered_json body_with_secret;
    for (auto& [key, value] : answer.body.items()) {
      body_with_secret[key] = value;
      if (key == name::kClientId) body_with_secret[name::kClientSecret] = secret->secret;
    }
    answer.body = std::move(body_with_secret);
  }
  return answer;
}

OAuthResult<RegistrationAnswer> DynamicRegistration::read(std::string_view client_id,
                                                          std::string_view access_token) const {
  auto found = clients_.find(client_id, registration_token_hash(access_token));
  if (!found.ok()) return err(storage_failure(found.error(), "registered client lookup"));
  if (!*found) return err(token_refused());
  return RegistrationAnswer{std::string(client_id), describe(**found, access_token)};
}

OAuthResult<RegistrationAnswer> DynamicRegistration::update(std::string_view client_id,
                                                            std::string_view access_token,
                                                            std::string_view body) const {
  const std::string old_hash = registration_token_hash(access_token);
  auto found = clients_.find(client_id, old_hash);
  if (!found.ok()) return err(storage_failure(found.error(), "registered client lookup"));
  if (!*found) return err(token_refused());
  const storage::ClientRecord& current = (*found)->client;

  auto metadata = read_client_metadata(body, settings_.policy);
  if (!metadata.ok()) return err(metadata.error());
  // RFC 7592 §2.2: the request names the client, and a secret in it is the current one.
  if (!metadata->client_id || *metadata->client_id != client_id) {
    return err(OAuthError::invalid_request(
        "client_id must be present and be the client's own id (RFC 7592 §2.2)"));
  }
  if (metadata->client_secret) {
    const bool matches =
        current.secret_hmac && equal_constant_time(client_secret_hmac(settings_.client_secret_key,
                                                                      *metadata->client_secret),
                                                   *current.secret_hmac);
    if (!matches) return err(bad("client_secret is not the client's current secret"));
  }
  if (metadata->client.confidential != current.confidential) {
    return err(
        bad("a client cannot change between public (token_endpoint_auth_method none) and "
            "confidential: register a new client instead"));
  }

  metadata->client.id = std::string(client_id);
  const std::string new_token = random_token(32);
  auto replaced = clients_.replace(client_id, old_hash, to_record(metadata->client),
                                   metadata->metadata, registration_token_hash(new_token));
  if (!replaced.ok()) return err(storage_failure(replaced.error(), "registered client update"));
  // The token was rotated or the client deleted by a concurrent request.
  if (!*replaced) return err(token_refused());
  client_changed_(std::string(client_id));
  return RegistrationAnswer{std::string(client_id), describe(**replaced, new_token)};
}

OAuthResult<Unit> DynamicRegistration::remove(std::string_view client_id,
                                              std::string_view access_token) const {
  auto removed = clients_.remove(client_id, registration_token_hash(access_token));
  if (!removed.ok()) return err(storage_failure(removed.error(), "registered client deletion"));
  if (!*removed) return err(token_refused());
  client_changed_(std::string(client_id));
  return Unit{};
}

ordered_json DynamicRegistration::describe(const storage::RegisteredClientRecord& record,
                                           std::string_view access_token) const {
  const storage::ClientRecord& c = record.client;
  const storage::RegistrationMetadata& m = record.metadata;
  ordered_json j;
  j[name::kClientId] = c.client_id;
  j[name::kClientIdIssuedAt] = unix_seconds(c.created_at);
  // RFC 7591 §3.2.1: 0 means the secret does not expire.
  if (c.confidential) j[name::kClientSecretExpiresAt] = 0;
  j[name::kRegistrationAccessToken] = std::string(access_token);
  j[name::kRegistrationClientUri] = settings_.issuer + "/register/" + c.client_id;
  j[name::kClientName] = c.name;
  j[name::kGrantTypes] = c.grant_types;
  j[name::kResponseTypes] = contains(c.grant_types, wire::kAuthorizationCode)
                                ? std::vector<std::string>{std::string(wire::kCode)}
                                : std::vector<std::string>{};
  j[name::kTokenEndpointAuthMethod] = c.token_endpoint_auth_method;
  j[name::kScope] = format_scope(to_scope_set(c.scopes));
  j[name::kRedirectUris] = c.redirect_uris;
  if (!c.post_logout_redirect_uris.empty()) {
    j[name::kPostLogoutRedirectUris] = c.post_logout_redirect_uris;
  }
  const std::pair<const char*, const std::optional<std::string>*> optional_members[] = {
      {name::kClientUri, &m.client_uri},
      {name::kLogoUri, &m.logo_uri},
      {name::kPolicyUri, &m.policy_uri},
      {name::kTosUri, &m.tos_uri},
      {name::kJwksUri, &m.jwks_uri},
      {name::kSoftwareId, &m.software_id},
      {name::kSoftwareVersion, &m.software_version}};
  for (const auto& [key, value] : optional_members) {
    if (*value) j[key] = **value;
  }
  if (!m.contacts.empty()) j[name::kContacts] = m.contacts;
  return j;
}

}  // namespace keyward::grants
