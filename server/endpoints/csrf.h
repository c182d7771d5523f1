#pragma once
// CSRF tokens bound to the browser session (DESIGN.md "Browser flows"; OWASP's
// synchronizer token pattern): every form carries HMAC-SHA-256(session's csrf_secret,
// purpose). The secret never leaves the server, so a token is only obtainable from a page
// we rendered for that session; it is checked in constant time. Forms send it as
// browser_wire::kCsrfField.
#include <string>
#include <string_view>

namespace keyward::server {

// base64url, 43 characters.
[[nodiscard]] std::string csrf_token(std::string_view session_csrf_secret);

// False for an empty secret, whatever was presented.
[[nodiscard]] bool csrf_matches(std::string_view session_csrf_secret, std::string_view presented);

}  // namespace keyward::server
