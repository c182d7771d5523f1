#pragma once
// Request ids: one per request, in the X-Request-ID response header, the access-log
// line and every 500 body, so an operator can find the log line a user reports.
#include <string>
#include <string_view>

namespace keyward::http {

// A client's X-Request-ID is kept only when it is 1..64 characters of [A-Za-z0-9._-]:
// anything else could forge log structure or smuggle data into our logs.
[[nodiscard]] bool is_sane_request_id(std::string_view id);

// The incoming id when sane, else a fresh random one (128 bits, base64url).
[[nodiscard]] std::string choose_request_id(std::string_view incoming);

}  // namespace keyward::http
