#pragma once
// The Cookie request header (RFC 6265 §4.2.1, §5.4), parsed strictly: a malformed
// header is answered 400 before any handler runs, so a handler never has to guess
// which of two readings of a mangled session cookie was meant.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace keyward::server {

struct Cookie {
  std::string name;
  std::string value;  // without the optional surrounding DQUOTEs
};

class Cookies {
 public:
  Cookies() = default;
  explicit Cookies(std::vector<Cookie> cookies) : cookies_(std::move(cookies)) {}

  // The first cookie of that name (RFC 6265 §5.4: longer paths first, so the first is
  // the most specific one the browser had).
  [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const;
  [[nodiscard]] size_t count(std::string_view name) const;
  [[nodiscard]] const std::vector<Cookie>& items() const { return cookies_; }
  [[nodiscard]] bool empty() const { return cookies_.empty(); }

 private:
  std::vector<Cookie> cookies_;
};

// cookie-string = cookie-pair *( ";" SP cookie-pair ). We also accept ';' without the
// space and one trailing ';' (both sent by real clients); we refuse empty pairs, a
// missing '=', a name that is not an RFC 9110 token, and a value with a byte outside
// cookie-octet (no CTLs, whitespace, DQUOTE inside, ',', ';' or '\').
[[nodiscard]] Result<Cookies, std::string> parse_cookie_header(std::string_view header);

// Is `name` an RFC 9110 §5.6.2 token?
[[nodiscard]] bool is_token(std::string_view name);

}  // namespace keyward::server
