#include "accounts/account_details.h"

#include <algorithm>

#include "common/text.h"
#include "grants/identifier.h"
#include "mail/smtp_sender.h"

namespace keyward::accounts {
namespace {

bool is_username_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

size_t code_points(std::string_view utf8) {
  return static_cast<size_t>(std::count_if(utf8.begin(), utf8.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

}  // namespace

std::optional<std::string> username_problem(std::string_view username) {
  if (username.size() < 3 || username.size() > kMaxUsernameLength) {
    return "Choose a username of 3 to " + std::to_string(kMaxUsernameLength) + " characters.";
  }
  if (!grants::is_acceptable_identifier(username) ||
      !std::all_of(username.begin(), username.end(), is_username_char) || !is_alnum(username[0])) {
    return std::string(
        "Use only letters, digits, dots, hyphens and underscores in your username, and start "
        "it with a letter or a digit.");
  }
  return std::nullopt;
}

std::optional<std::string> email_problem(std::string_view email) {
  constexpr std::string_view kInvalid = "Enter a valid e-mail address, like name@example.com.";
  if (email.empty()) return std::string("Enter your e-mail address.");
  if (email.size() > kMaxEmailBytes || !is_utf8(email) || has_space_or_control(email)) {
    return std::string(kInvalid);
  }
  const auto at = email.find('@');
  if (at == std::string_view::npos || at == 0 ||
      email.find('@', at + 1) != std::string_view::npos) {
    return std::string(kInvalid);
  }
  if (!mail::is_plausible_address(email)) return std::string(kInvalid);  // what SMTP takes
  const auto domain = email.substr(at + 1);
  const auto dot = domain.find('.');
  if (domain.empty() || dot == std::string_view::npos || domain.front() == '.' ||
      domain.back() == '.') {
    return std::string(kInvalid);
  }
  return std::nullopt;
}

std::optional<std::string> name_problem(std::string_view name, std::string_view what) {
  if (name.empty()) return std::nullopt;
  if (!is_utf8(name) || has_control(name)) {
    return std::string(what) + " must not contain control characters.";
  }
  if (code_points(name) > kMaxNameLength) {
    return std::string(what) + " can be at most " + std::to_string(kMaxNameLength) + " characters.";
  }
  return std::nullopt;
}

}  // namespace keyward::accounts
