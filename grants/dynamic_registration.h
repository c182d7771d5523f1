#pragma once
// Dynamic client registration (RFC 7591) and its management (RFC 7592) as plain C++: JSON
// metadata in, the RFC 7591 §3.2.1 response out, errors as OAuthError with the RFC 7591
// §3.2.2 codes (invalid_client_metadata, invalid_redirect_uri) or invalid_token (401) for
// a missing or wrong initial or registration access token. The endpoints
// (server/endpoints/registration.h) only carry HTTP to these calls and back.
//
// The rules, on top of validate_client_registration() (the CLI's, client_registration.h):
//   - the body is one JSON object; members Keyward does not know are ignored (RFC 7591
//     §2), never echoed; a known member of the wrong type is invalid_client_metadata;
//   - grant_types defaults to ["authorization_code"]; only authorization_code,
//     refresh_token and client_credentials can be registered (password is for the
//     operator's first-party clients), client_credentials only with an initial access
//     token (not under open registration);
//   - response_types defaults to ["code"] for authorization_code clients; "code" is the
//     only one, and it goes with authorization_code both ways (RFC 7591 §2.1);
//   - token_endpoint_auth_method defaults to client_secret_basic (RFC 7591 §2); none makes
//     a public client, which has no secret;
//   - scope defaults to "openid" for authorization_code clients, to none otherwise; under
//     open registration only the scopes Keyward itself defines (scope.h kKnownScopes);
//   - client_name is required (the consent page shows it);
//   - client_uri, logo_uri, policy_uri, tos_uri and jwks_uri are absolute https URIs
//     with a host (so never javascript: or data:); contacts are at most 20 strings;
//     software_id and software_version at most 200 characters;
//   - dynamically registered clients are never first-party, never introspect, and have no
//     audiences: those stay the operator's (`keyward client`).
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/result.h"
#include "grants/client.h"
#include "grants/oauth_error.h"
#include "storage/dynamic_client_repository.h"
#include "storage/registration_token_repository.h"

namespace keyward::grants {

// Who may register: holders of an initial access token, or anyone.
enum class RegistrationPolicy { InitialAccessToken, Open };

// A registration request, validated.
struct ClientMetadata {
  Client client;  // id empty
  storage::RegistrationMetadata metadata;
  // As sent, for RFC 7592 §2.2 updates (which must name the client and may repeat its
  // secret); a registration ignores them.
  std::optional<std::string> client_id, client_secret;
};

// Parses and checks a request body (the rules above). invalid_client_metadata for a body
// that is not a JSON object.
[[nodiscard]] OAuthResult<ClientMetadata> read_client_metadata(std::string_view body,
                                                               RegistrationPolicy policy);

// nullopt when `uri` may be registered as client_uri, logo_uri, policy_uri, tos_uri or
// jwks_uri, else why not.
[[nodiscard]] std::optional<std::string> metadata_uri_problem(std::string_view uri);

// The SHA-256 a registration access token or an initial access token is stored as.
[[nodiscard]] std::string registration_token_hash(std::string_view token);

struct RegistrationSettings {
  std::string issuer;  // registration_client_uri = issuer + "/register/" + client_id
  RegistrationPolicy policy = RegistrationPolicy::InitialAccessToken;
  std::string client_secret_key;  // client_secret.h client_secret_key()
};

// What the endpoint answers with: the RFC 7591 §3.2.1 body. client_secret only in the
// registration response (it is stored as an HMAC, so it cannot be shown again).
struct RegistrationAnswer {
  std::string client_id;
  nlohmann::ordered_json body;
};

class DynamicRegistration {
 public:
  // `client_changed` runs after an update or deletion has committed, with the client id:
  // the caller drops the client from its cache and tells the other instances.
  DynamicRegistration(storage::DynamicClientRepository& clients,
                      storage::RegistrationTokenRepository& tokens, const Clock& clock,
                      RegistrationSettings settings,
                      std::function<void(const std::string& client_id)> client_changed);

  // RFC 7591 §3: may this caller register at all? With an initial access token policy,
  // invalid_token unless `initial_token` is a token that can still be used (nothing is
  // counted yet); under open registration always.
  [[nodiscard]] OAuthResult<Unit> admit(const std::optional<std::string>& initial_token) const;

  // Validates `body`, then in one transaction counts one use of the initial access token
  // (invalid_token when it was spent meanwhile) and stores the client. 201's body.
  [[nodiscard]] OAuthResult<RegistrationAnswer> register_client(
      std::string_view body, const std::optional<std::string>& initial_token) const;

  // RFC 7592 §2.1. invalid_token when `access_token` is not this client's current
  // registration access token (the same for a client that does not exist).
  [[nodiscard]] OAuthResult<RegistrationAnswer> read(std::string_view client_id,
                                                     std::string_view access_token) const;

  // RFC 7592 §2.2: full replacement of the metadata; omitted members take their defaults.
  // The body's client_id must be the client's; a client_secret in it must be the current
  // one; the client's type (public or confidential) cannot change. The registration access
  // token rotates: the answer carries the new one and the old one stops working.
  [[nodiscard]] OAuthResult<RegistrationAnswer> update(std::string_view client_id,
                                                       std::string_view access_token,
                                                       std::string_view body) const;

  // RFC 7592 §2.3: deletes the client with its grants and tokens.
  [[nodiscard]] OAuthResult<Unit> remove(std::string_view client_id,
                                         std::string_view access_token) const;

 private:
  [[nodiscard]] nlohmann::ordered_json describe(const storage::RegisteredClientRecord& record,
                                                std::string_view access_token) const;

  storage::DynamicClientRepository& clients_;
  storage::RegistrationTokenRepository& tokens_;
  const Clock& clock_;
  RegistrationSettings settings_;
  std::function<void(const std::string&)> client_changed_;
};

}  // namespace keyward::grants
