#pragma once
// What an upstream provider's registration must look like (`keyward idp add`), checked
// before anything is stored, with messages that say what to change. The table's CHECKs
// (migrations/0009_federation.sql) say the same again as the last line of defence.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace keyward::federation {

// Where the upstream sends the browser back: Keyward's issuer (without a trailing slash)
// then "/federation/callback". The operator registers exactly this at the upstream, and
// Keyward sends exactly this in the authorization and token requests (RFC 6749 §3.1.2).
inline constexpr std::string_view kCallbackPath = "/federation/callback";
[[nodiscard]] std::string callback_redirect_uri(std::string_view keyward_issuer);

// ^[a-z0-9][a-z0-9-]{0,31}$: it appears in URLs (/federation/start?provider=NAME), in the
// database and in logs, so it is kept plain.
[[nodiscard]] bool is_valid_provider_name(std::string_view name);

// The scopes to ask the upstream for, from a space-separated list: each an RFC 6749 §3.3
// scope-token, repeats dropped, order kept; "openid" must be among them (without it the
// upstream sends no ID token, OIDC Core §3.1.2.1).
[[nodiscard]] Result<std::vector<std::string>, std::string> parse_provider_scopes(
    std::string_view text);

// "google" → "Google": what the button says when the operator gave no label.
[[nodiscard]] std::string default_button_label(std::string_view name);

// nullopt when the label can be shown: UTF-8, 1 to 64 characters, no control characters.
[[nodiscard]] std::optional<std::string> button_label_problem(std::string_view label);

}  // namespace keyward::federation
