#include "server/http/cookies.h"

#include <algorithm>

namespace keyward::server {

namespace {

bool is_tchar(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

// RFC 6265 §4.1.1: %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E
bool is_cookie_octet(unsigned char c) {
  return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
         (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool is_token(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return is_tchar(static_cast<unsigned char>(c));
  });
}

std::optional<std::string_view> Cookies::get(std::string_view name) const {
  for (const auto& c : cookies_) {
    if (c.name == name) return std::string_view(c.value);
  }
  return std::nullopt;
}

size_t Cookies::count(std::string_view name) const {
  return static_cast<size_t>(std::count_if(cookies_.begin(), cookies_.end(),
                                           [&](const Cookie& c) { return c.name == name; }));
}

Result<Cookies, std::string> parse_cookie_header(std::string_view header) {
  std::vector<Cookie> cookies;
  std::string_view rest = trim(header);
  if (rest.empty()) return err(std::string("empty Cookie header"));
  while (!rest.empty()) {
    const size_t semi = rest.find(';');
    const std::string_view pair = trim(rest.substr(0, semi));
    if (pair.empty()) return err(std::string("empty cookie-pair"));
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos) return err(std::string("cookie-pair without '='"));
    const std::string_view name = pair.substr(0, eq);
    std::string_view value = pair.substr(eq + 1);
    if (!is_token(name)) return err(std::string("cookie-name is not a token"));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (!std::all_of(value.begin(), value.end(),
                     [](char c) { return is_cookie_octet(static_cast<unsigned char>(c)); })) {
      return err(std::string("cookie-value has a forbidden byte"));
    }
    cookies.push_back({std::string(name), std::string(value)});
    if (semi == std::string_view::npos) break;
    rest = rest.substr(semi + 1);
    // One trailing ';' (with optional whitespace) is tolerated.
    if (trim(rest).empty()) break;
  }
  return Cookies(std::move(cookies));
}

}  // namespace keyward::server
