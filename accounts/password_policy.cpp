#include "accounts/password_policy.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "common/text.h"

namespace keyward::accounts {
namespace {

// The most common passwords of the public breach corpora (the head of SecLists'
// "10-million-password-list-top-100" that is at least 8 characters long), compared
// without case. A short list on purpose: it catches the guesses every attacker makes first
// without shipping a corpus; the patterns below catch their variants.
constexpr std::array<std::string_view, 40> kCommonPasswords = {
    "password", "password1", "password12", "password123", "12345678", "123456789", "1234567890",
    "qwertyui", "qwerty123", "qwertyuiop", "11111111",    "iloveyou", "sunshine",  "princess",
    "football", "baseball",  "welcome1",   "abc12345",    "letmein1", "trustno1",  "superman",
    "starwars", "passw0rd",  "p@ssw0rd",   "1q2w3e4r",    "1qaz2wsx", "zaq12wsx",  "asdfghjk",
    "zxcvbnm1", "whatever",  "charlie1",   "michelle",    "jennifer", "computer",  "corvette",
    "mercedes", "internet",  "changeme",   "00000000",    "87654321"};

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

size_t code_points(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// One character repeated ("aaaaaaaa"), or a run of consecutive characters up or down
// ("12345678", "abcdefgh", "87654321").
bool is_trivial_pattern(std::string_view p) {
  if (std::all_of(p.begin(), p.end(), [&](char c) { return c == p.front(); })) return true;
  bool up = true, down = true;
  for (size_t i = 1; i < p.size(); ++i) {
    up = up && p[i] == p[i - 1] + 1;
    down = down && p[i] == p[i - 1] - 1;
  }
  return up || down;
}

}  // namespace

std::optional<std::string> password_problem(std::string_view password, std::string_view username) {
  if (code_points(password) < kMinPasswordLength) {
    return "Use at least " + std::to_string(kMinPasswordLength) + " characters.";
  }
  if (password.size() > kMaxPasswordBytes) {
    return "Use at most " + std::to_string(kMaxPasswordBytes) + " bytes.";
  }
  if (!is_utf8(password) || has_control(password)) {
    return "Use only printable characters.";
  }
  const std::string lowered = lower_ascii(password);
  // Equal to the username, or containing one long enough not to be a coincidence.
  const std::string name = lower_ascii(username);
  if (!name.empty() &&
      (lowered == name || (name.size() >= 4 && lowered.find(name) != std::string::npos))) {
    return "Do not use your username in your password.";
  }
  if (std::find(kCommonPasswords.begin(), kCommonPasswords.end(), lowered) !=
          kCommonPasswords.end() ||
      is_trivial_pattern(lowered)) {
    return "This password is among the first that attackers try. Choose another one.";
  }
  return std::nullopt;
}

}  // namespace keyward::accounts
