#pragma once
// The Cookie request header (RFC 6265 §4.2.1, §5.4), parsed pair by pair. A browser
// sends every cookie of the site's domain, including ones a sibling subdomain set, so
// one malformed pair we do not own must not break every request: it is skipped. What
// we read ourselves stays strict: a name that came with a malformed pair is absent, so
// a handler never has to guess which reading of a mangled session cookie was meant.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace keyward::http {

struct Cookie {
  std::string name;
  std::string value;  // without the optional surrounding DQUOTEs
};

class Cookies {
 public:
  Cookies() = default;
  explicit Cookies(std::vector<Cookie> cookies, std::vector<std::string> malformed_names = {},
                   size_t skipped = 0)
      : cookies_(std::move(cookies)),
        malformed_names_(std::move(malformed_names)),
        skipped_(skipped) {}

  // The first cookie of that name (RFC 6265 §5.4: longer paths first, so the first is
  // the most specific one the browser had); none when a pair of that name was malformed.
  [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const;
  [[nodiscard]] size_t count(std::string_view name) const;
  [[nodiscard]] const std::vector<Cookie>& items() const { return cookies_; }
  [[nodiscard]] bool empty() const { return cookies_.empty(); }
  // Names (RFC 9110 tokens) whose pair was skipped as malformed.
  [[nodiscard]] const std::vector<std::string>& malformed_names() const { return malformed_names_; }
  // How many pairs were skipped, named or not.
  [[nodiscard]] size_t skipped() const { return skipped_; }

 private:
  std::vector<Cookie> cookies_;
  std::vector<std::string> malformed_names_;
  size_t skipped_ = 0;
};

// cookie-string = cookie-pair *( ";" SP cookie-pair ), with ';' also accepted without
// the space and empty pairs ignored (both sent by real clients). A pair is kept when it
// has '=', a name that is an RFC 9110 token and a value of cookie-octets (no CTLs,
// whitespace, DQUOTE inside, ',', ';' or '\'), optionally in DQUOTEs; any other pair
// is skipped (and its name remembered when the name is a token).
[[nodiscard]] Cookies parse_cookie_header(std::string_view header);

// Is `name` an RFC 9110 §5.6.2 token?
[[nodiscard]] bool is_token(std::string_view name);

}  // namespace keyward::http
