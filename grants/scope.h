#pragma once
// Scope strings (RFC 6749 §3.3): space-delimited, case-sensitive tokens of
// %x21 / %x23-5B / %x5D-7E. Kept as a sorted set so that comparisons and the
// echoed `scope` are canonical.
#include <array>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace keyward::grants {

using ScopeSet = std::set<std::string>;

// The scopes Keyward itself gives a meaning to (OIDC Core §3.1.2.1, §5.4, §11). Clients are
// registered with any scopes besides (their resource servers' own), which Keyward grants
// but does not interpret.
inline constexpr std::string_view kOpenIdScope = "openid";
inline constexpr std::string_view kProfileScope = "profile";  // grants/id_token.h user_claims
inline constexpr std::string_view kEmailScope = "email";      // grants/id_token.h user_claims
// A refresh token that outlives the browser session (OIDC Core §11).
inline constexpr std::string_view kOfflineAccessScope = "offline_access";
// All of them, in the order discovery lists them (scopes_supported, OIDC Discovery §3).
inline constexpr std::array<std::string_view, 4> kKnownScopes = {kOpenIdScope, kProfileScope,
                                                                 kEmailScope, kOfflineAccessScope};
// The admin API's scopes (server/admin/admin_access.h): `keyward:admin` and the part scopes
// `keyward:admin:clients`, …. Only an operator, or a caller that already holds
// `keyward:admin`, may give a client one of them.
inline constexpr std::string_view kAdminScopePrefix = "keyward:admin";

// nullopt when a token has a forbidden character or the string has empty tokens
// (two spaces, leading or trailing space).
[[nodiscard]] std::optional<ScopeSet> parse_scope(std::string_view text);
[[nodiscard]] std::string format_scope(const ScopeSet& scopes);
[[nodiscard]] bool is_subset(const ScopeSet& requested, const ScopeSet& allowed);
[[nodiscard]] ScopeSet to_scope_set(const std::vector<std::string>& scopes);
// Whether `scope` starts with kAdminScopePrefix (any admin scope, and any look-alike).
[[nodiscard]] bool is_admin_scope(std::string_view scope);

}  // namespace keyward::grants
