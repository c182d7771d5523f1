#include "http/cookies.h"

#include <algorithm>

namespace keyward::http {

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
  if (std::find(malformed_names_.begin(), malformed_names_.end(), name) != malformed_names_.end()) {
    return std::nullopt;
  }
  for (const auto& c : cookies_) {
    if (c.name == name) return std::string_view(c.value);
  }
  return std::nullopt;
}

size_t Cookies::count(std::string_view name) const {
  return static_cast<size_t>(std::count_if(cookies_.begin(), cookies_.end(),
                                           [&](const Cookie& c) { return c.name == name; }));
}

Cookies parse_cookie_header(std::string_view header) {
  std::vector<Cookie> cookies;
  std::vector<std::string> malformed;
  size_t skipped = 0;
  std::string_view rest = header;
  while (!rest.empty()) {
    const size_t semi = rest.find(';');
    const std::string_view pair = trim(rest.substr(0, semi));
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    const std::string_view name = pair.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    const bool well_formed = eq != std::string_view::npos && is_token(name) &&
                             std::all_of(value.begin(), value.end(), [](char c) {
                               return is_cookie_octet(static_cast<unsigned char>(c));
                             });
    if (well_formed) {
      cookies.push_back({std::string(name), std::string(value)});
      continue;
    }
    ++skipped;
    if (is_token(name)) malformed.emplace_back(name);
  }
  return Cookies(std::move(cookies), std::move(malformed), skipped);
}

}  // namespace keyward::http
