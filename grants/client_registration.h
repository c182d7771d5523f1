#pragma once
// What a client may register (RFC 6749 §2, §3.1.2, §4.4; RFC 7591 §2): checked
// by `keyward client create` before anything is stored, with a message that says why
// (RFC 7591 §3.2.2 error codes, so dynamic registration can reuse it).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "grants/client.h"
#include "grants/oauth_error.h"
#include "grants/wire.h"

namespace keyward::grants {

inline constexpr std::string_view kGrantTypes[] = {wire::kAuthorizationCode, wire::kRefreshToken,
                                                   wire::kClientCredentials, wire::kPassword};

struct ClientRegistration {
  std::string name;
  std::vector<std::string> grant_types;
  std::string scope;  // space-delimited (RFC 6749 §3.3); may be empty
  std::vector<std::string> redirect_uris, post_logout_redirect_uris, audiences;
  bool public_client = false;
  bool first_party = false;
  // May introspect any access token (a resource server); confidential clients only.
  bool may_introspect = false;
  // Defaults: client_secret_basic for confidential clients, none for public ones.
  std::optional<std::string> token_endpoint_auth_method;
};

// The client to store (its id left empty for the caller to fill), or
// invalid_client_metadata / invalid_redirect_uri saying what is wrong:
//   - a name of 1 to 200 characters without control characters;
//   - at least one grant type, each one of kGrantTypes; refresh_token only next to a
//     grant that issues refresh tokens (authorization_code, password);
//   - RFC 6749 §4.4 / RFC 9700 §2.1: a public client cannot use client_credentials;
//   - RFC 9700 §2.4: a public client cannot use password (it is for confidential
//     first-party clients only, and off unless KEYWARD_PASSWORD_GRANT is on);
//   - token_endpoint_auth_method none exactly when the client is public;
//   - only a confidential client may introspect (RFC 7662 §2.1: the caller authenticates);
//   - a valid scope string;
//   - authorization_code needs at least one redirect URI, and redirect URIs (also
//     post-logout ones) are only for authorization_code; each passes
//     redirect_uri_problem() (absolute, no fragment, no userinfo, no javascript:/data:,
//     https unless loopback);
//   - audiences: no empty or whitespace-bearing values.
// Duplicates in any list are dropped, keeping the first.
[[nodiscard]] OAuthResult<Client> validate_client_registration(const ClientRegistration& request);

}  // namespace keyward::grants
