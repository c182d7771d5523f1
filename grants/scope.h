#pragma once
// Scope strings (RFC 6749 §3.3): space-delimited, case-sensitive tokens of
// %x21 / %x23-5B / %x5D-7E. Kept as a sorted set so that comparisons and the
// echoed `scope` are canonical.
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace keyward::grants {

using ScopeSet = std::set<std::string>;

// nullopt when a token has a forbidden character or the string has empty tokens
// (two spaces, leading or trailing space).
[[nodiscard]] std::optional<ScopeSet> parse_scope(std::string_view text);
[[nodiscard]] std::string format_scope(const ScopeSet& scopes);
[[nodiscard]] bool is_subset(const ScopeSet& requested, const ScopeSet& allowed);
[[nodiscard]] ScopeSet to_scope_set(const std::vector<std::string>& scopes);

}  // namespace keyward::grants
