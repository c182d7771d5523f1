#pragma once
// What a client_id or username from a request must look like before it is used to look
// anything up. The form parser already refuses NUL and invalid UTF-8 at the edge; this
// is the second line, for every way an identifier arrives (Basic credentials, a form
// field, a query), so a value PostgreSQL would refuse (SQLSTATE 22021) or libpq would
// cut short at NUL never reaches a query or a cache key.
#include <string_view>

namespace keyward::grants {

// Non-empty, at most kMaxIdentifierBytes, UTF-8, no control characters. Stored ids are
// at most 255 characters, so a longer one cannot exist and is refused unread.
inline constexpr size_t kMaxIdentifierBytes = 1020;  // 255 characters of up to 4 bytes

[[nodiscard]] bool is_acceptable_identifier(std::string_view id);

}  // namespace keyward::grants
