#include "federation/provider_rules.h"

#include <algorithm>

#include "common/text.h"

namespace keyward::federation {
namespace {

constexpr size_t kMaxName = 32;
constexpr size_t kMaxLabel = 64;

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
bool scope_token_char(unsigned char c) {
  return c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e);
}

// UTF-8 code points: continuation bytes (10xxxxxx) do not start one.
size_t code_points(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

}  // namespace

std::string callback_redirect_uri(std::string_view keyward_issuer) {
  while (!keyward_issuer.empty() && keyward_issuer.back() == '/') keyward_issuer.remove_suffix(1);
  return std::string(keyward_issuer) + std::string(kCallbackPath);
}

bool is_valid_provider_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxName || !name_char(name.front())) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return name_char(c) || c == '-'; });
}

Result<std::vector<std::string>, std::string> parse_provider_scopes(std::string_view text) {
  std::vector<std::string> scopes;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = std::min(text.find(' ', start), text.size());
    const std::string_view token = text.substr(start, end - start);
    start = end + 1;
    if (token.empty()) continue;
    if (!std::all_of(token.begin(), token.end(),
                     [](char c) { return scope_token_char(static_cast<unsigned char>(c)); })) {
      return err(
          "the scopes are space-separated RFC 6749 scope tokens (printable ASCII without "
          "'\"' or '\\')");
    }
    if (std::find(scopes.begin(), scopes.end(), token) == scopes.end()) {
      scopes.emplace_back(token);
    }
  }
  if (std::find(scopes.begin(), scopes.end(), "openid") == scopes.end()) {
    return err(
        std::string("the scopes must include openid (without it the upstream sends no ID "
                    "token)"));
  }
  return scopes;
}

std::string default_button_label(std::string_view name) {
  std::string label(name);
  if (!label.empty() && label.front() >= 'a' && label.front() <= 'z') {
    label.front() = static_cast<char>(label.front() - 'a' + 'A');
  }
  return label;
}

std::optional<std::string> button_label_problem(std::string_view label) {
  if (!is_utf8(label) || has_control(label)) {
    return "the button label must be UTF-8 text without control characters";
  }
  const size_t length = code_points(label);
  if (length == 0 || length > kMaxLabel) {
    return "the button label must be 1 to " + std::to_string(kMaxLabel) + " characters long";
  }
  return std::nullopt;
}

}  // namespace keyward::federation
