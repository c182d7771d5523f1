// server/http/cookies.h: parse_cookie_header on arbitrary bytes.
// Invariants: every cookie that comes out has a token name and a value of cookie-octets
// only, and writing them back as "name=value; ..." parses to the same cookies.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/http/cookies.h"
#include "tests/fuzz/fuzz_check.h"

using keyward::server::is_token;
using keyward::server::parse_cookie_header;

namespace {

// RFC 6265 §4.1.1 cookie-octet.
bool is_cookie_octet(unsigned char c) {
  return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
         (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_cookie_header(input);
  if (!parsed.ok()) {
    FUZZ_CHECK(!parsed.error().empty());
    return 0;
  }
  std::string rewritten;
  for (const auto& cookie : parsed->items()) {
    FUZZ_CHECK(is_token(cookie.name));
    for (const char c : cookie.value) FUZZ_CHECK(is_cookie_octet(static_cast<unsigned char>(c)));
    FUZZ_CHECK(parsed->get(cookie.name).has_value());
    FUZZ_CHECK(parsed->count(cookie.name) >= 1);
    if (!rewritten.empty()) rewritten += "; ";
    rewritten += cookie.name + "=" + cookie.value;
  }
  auto again = parse_cookie_header(rewritten);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->items().size() == parsed->items().size());
  for (size_t i = 0; i < parsed->items().size(); ++i) {
    FUZZ_CHECK(again->items()[i].name == parsed->items()[i].name);
    FUZZ_CHECK(again->items()[i].value == parsed->items()[i].value);
  }
  return 0;
}
