#include "http/request_id.h"

#include <algorithm>

#include "common/crypto.h"

namespace keyward::http {

bool is_sane_request_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

std::string choose_request_id(std::string_view incoming) {
  if (is_sane_request_id(incoming)) return std::string(incoming);
  return random_token(16);
}

}  // namespace keyward::http
