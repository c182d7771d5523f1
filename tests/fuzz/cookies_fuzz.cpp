// http/cookies.h: parse_cookie_header on arbitrary bytes.
// Invariants: every cookie that comes out has a token name and a value of cookie-octets
// only; a name that came with a malformed pair is absent; and writing the kept cookies back
// as "name=value; ..." parses to the same cookies with nothing skipped.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/cookies.h"
#include "tests/fuzz/fuzz_check.h"

using keyward::http::is_token;
using keyward::http::parse_cookie_header;

namespace {

// RFC 6265 §4.1.1 cookie-octet.
bool is_cookie_octet(unsigned char c) {
  return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
         (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto parsed = parse_cookie_header(input);
  FUZZ_CHECK(parsed.skipped() >= parsed.malformed_names().size());
  for (const auto& name : parsed.malformed_names()) {
    FUZZ_CHECK(is_token(name));
    FUZZ_CHECK(!parsed.get(name).has_value());  // strict: a malformed pair's name is absent
  }
  std::string rewritten;
  for (const auto& cookie : parsed.items()) {
    FUZZ_CHECK(is_token(cookie.name));
    for (const char c : cookie.value) FUZZ_CHECK(is_cookie_octet(static_cast<unsigned char>(c)));
    FUZZ_CHECK(parsed.count(cookie.name) >= 1);
    if (!rewritten.empty()) rewritten += "; ";
    rewritten += cookie.name + "=" + cookie.value;
  }
  // What was kept is well-formed: written back, nothing is skipped and nothing changes.
  const auto again = parse_cookie_header(rewritten);
  FUZZ_CHECK(again.skipped() == 0);
  FUZZ_CHECK(again.malformed_names().empty());
  FUZZ_CHECK(again.items().size() == parsed.items().size());
  for (size_t i = 0; i < parsed.items().size(); ++i) {
    FUZZ_CHECK(again.items()[i].name == parsed.items()[i].name);
    FUZZ_CHECK(again.items()[i].value == parsed.items()[i].value);
  }
  return 0;
}
