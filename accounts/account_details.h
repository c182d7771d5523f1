#pragma once
// What a new account's details must look like (docs/accounts.md "Registration"). Each
// check returns nullopt when the value is acceptable, else the sentence to show.
#include <optional>
#include <string>
#include <string_view>

namespace keyward::accounts {

inline constexpr size_t kMaxUsernameLength = 64;  // characters
inline constexpr size_t kMaxEmailBytes = 320;     // RFC 5321's path limit, as the table's
inline constexpr size_t kMaxNameLength = 200;     // given and family name, as the table's

// 3 to 64 characters of ASCII letters, digits, '.', '_' and '-', starting with a letter or
// digit (and an acceptable identifier, grants/identifier.h). No '@', so a username is
// never mistaken for an address at /recover; ASCII only, so no two usernames look alike.
// Case is kept as typed but compared without it (the database stores it lower-cased).
[[nodiscard]] std::optional<std::string> username_problem(std::string_view username);

// Plausible, not proven (the verification mail proves it): at most 320 bytes of UTF-8,
// no spaces or control characters, exactly one '@' with something on each side, a
// domain with a dot that neither starts nor ends it, and nothing the SMTP sender refuses
// (mail::is_plausible_address: no angle brackets, commas, quotes ...). Sign-up and the
// account page check addresses with it alike.
[[nodiscard]] std::optional<std::string> email_problem(std::string_view email);

// Optional: empty is fine; otherwise UTF-8 without control characters, at most 200
// characters. `what` names the field in the sentence ("Given name").
[[nodiscard]] std::optional<std::string> name_problem(std::string_view name, std::string_view what);

}  // namespace keyward::accounts
