#pragma once
// Checks on text that comes from clients, in one place so that the form parser, the
// cookie parser and the grants agree on what an acceptable value is.
#include <string_view>

namespace keyward {

// Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above
// U+10FFFF. PostgreSQL refuses anything else in a text column (SQLSTATE 22021), so a
// value that fails here must be refused before it reaches a query.
[[nodiscard]] bool is_utf8(std::string_view text);

// Any C0 control character (NUL included) or DEL.
[[nodiscard]] bool has_control(std::string_view text);

// has_control, or a space.
[[nodiscard]] bool has_space_or_control(std::string_view text);

// ASCII case-insensitive equality, the same in every locale: HTTP field names and
// tokens (RFC 9110 §5.1, §11.1), auth schemes, JOSE `typ` (RFC 7515 §4.1.9).
[[nodiscard]] bool iequals(std::string_view a, std::string_view b);

// RFC 6749 Appendix A VSCHAR = %x20-7E, for every byte (true for an empty string).
[[nodiscard]] bool is_vschar(std::string_view text);

}  // namespace keyward
