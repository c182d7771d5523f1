#pragma once
// RP-Initiated Logout 1.0 §2-§3, the request's rules without HTTP: which parameters count,
// which client the request is for (the id_token_hint's audience, or client_id; both must
// agree), and whether post_logout_redirect_uri may be followed (registered for that
// client, exactly: grants/redirect_uri.h). server/endpoints/logout.cpp asks the user,
// ends the session and renders around it.
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "common/result.h"
#include "grants/authorization_request.h"
#include "grants/client.h"
#include "grants/client_lookup.h"
#include "grants/id_token.h"
#include "grants/oauth_error.h"
#include "grants/wire.h"

namespace keyward::grants {

// The parameters we read; every other one is ignored.
inline constexpr std::string_view kLogoutParameters[] = {
    wire::kIdTokenHint, wire::kClientId, wire::kPostLogoutRedirectUri, wire::kState};

struct LogoutRequest {
  // The recognised parameters as received (each once, none empty): what the confirmation
  // form carries back.
  RawParams params;
  std::optional<Client> client;            // from the hint or client_id, when registered
  std::optional<std::string> hinted_user;  // the hint's sub
  std::optional<std::string> post_logout_redirect_uri;  // registered for client, exactly
  std::optional<std::string> state;

  // §2: without a hint naming the signed-in user, the OP "MUST ask the End-User".
  [[nodiscard]] bool hint_names(std::string_view user_id) const {
    return hinted_user && *hinted_user == user_id;
  }
  // §3: the query for post_logout_redirect_uri: state, when the request had one.
  [[nodiscard]] RawParams redirect_params() const;
};

// A request we refuse: its message is shown on a 400 page (nothing is redirected, since
// post_logout_redirect_uri is what may be wrong).
struct LogoutRefusal {
  std::string message;
};

// A refusal, or the client lookup's storage failure.
using LogoutError = std::variant<LogoutRefusal, OAuthError>;

// In order: no recognised parameter repeated; the id_token_hint, when present, is an ID
// token we issued (expired or not) and its aud agrees with client_id; the client is
// looked up (unknown: none); a post_logout_redirect_uri needs the client and must be one
// of its post_logout_redirect_uris.
[[nodiscard]] Result<LogoutRequest, LogoutError> check_logout_request(
    const RawParams& raw, const IdTokenIssuer& id_tokens, ClientLookup& clients);

}  // namespace keyward::grants
