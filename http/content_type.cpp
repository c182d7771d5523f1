#include "http/content_type.h"

#include <string_view>

namespace keyward::http {
namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

// "type/subtype" of a Content-Type value, without its parameters or the whitespace
// around it (RFC 9110 §5.6.3 OWS).
std::string_view media_type(std::string_view value) {
  value = value.substr(0, value.find(';'));
  while (!value.empty() && is_blank(value.back())) value.remove_suffix(1);
  while (!value.empty() && is_blank(value.front())) value.remove_prefix(1);
  return value;
}

}  // namespace

bool is_form_urlencoded(const Headers& headers) {
  const auto content_type = headers.get("Content-Type");
  return content_type && iequals(media_type(*content_type), "application/x-www-form-urlencoded");
}

bool has_media_type(const Headers& headers, std::string_view wanted) {
  const auto content_type = headers.get("Content-Type");
  return content_type && iequals(media_type(*content_type), wanted);
}

}  // namespace keyward::http
