#pragma once
// The rules a new password must follow (sign-up, reset, change; docs/accounts.md
// "Passwords"), after NIST SP 800-63B §5.1.1.2: a length floor, no composition rules, and
// a refusal of passwords that attackers try first. Checked before any hashing.
#include <optional>
#include <string>
#include <string_view>

namespace keyward::accounts {

inline constexpr size_t kMinPasswordLength = 8;    // characters (UTF-8 code points)
inline constexpr size_t kMaxPasswordBytes = 1024;  // the login form's limit

// nullopt when `password` may be used by `username`; otherwise the sentence to show
// ("Use at least 8 characters.").
[[nodiscard]] std::optional<std::string> password_problem(std::string_view password,
                                                          std::string_view username);

}  // namespace keyward::accounts
