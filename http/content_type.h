#pragma once
// Reading the Content-Type field (RFC 9110 §8.3): the media type alone, its parameters
// (charset and the like) set aside.
#include "http/headers.h"

namespace keyward::http {

// True when the (first) Content-Type field names application/x-www-form-urlencoded: type
// and subtype compared case-insensitively (RFC 9110 §8.3.1), whitespace around them and
// any parameters after ';' ignored. False when the field is absent.
[[nodiscard]] bool is_form_urlencoded(const Headers& headers);

// True when the (first) Content-Type field names `media_type` ("application/json"),
// compared the same way.
[[nodiscard]] bool has_media_type(const Headers& headers, std::string_view media_type);

}  // namespace keyward::http
