// http/form.h: parse_form_urlencoded and percent_decode on arbitrary bytes.
// Invariants: whatever parses re-encodes (form_urlencode) to a string that parses to the
// same parameters; percent_decode undoes form_urlencode; the accessors agree with items().
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/form.h"
#include "tests/fuzz/fuzz_check.h"

using keyward::http::form_urlencode;
using keyward::http::parse_form_urlencoded;
using keyward::http::percent_decode;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // Any bytes: encoding then decoding gives them back, with either reading of '+' (the
  // encoder never writes '+'). A decoder that refuses some bytes outright (NUL, invalid
  // UTF-8) may refuse here, but never return something else.
  const std::string encoded = form_urlencode(input);
  for (const bool plus_is_space : {true, false}) {
    auto decoded = percent_decode(encoded, plus_is_space);
    if (decoded.ok()) FUZZ_CHECK(*decoded == input);
  }

  auto raw = percent_decode(input, false);
  auto spaced = percent_decode(input, true);
  FUZZ_CHECK(raw.ok() == spaced.ok());
  if (raw.ok()) FUZZ_CHECK(raw->size() <= input.size() && raw->size() == spaced->size());

  auto parsed = parse_form_urlencoded(input);
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.error().offset <= input.size());
    FUZZ_CHECK(!parsed.error().message.empty());
    return 0;
  }
  const auto& params = *parsed;
  FUZZ_CHECK(params.size() == params.items().size());
  FUZZ_CHECK(params.empty() == (params.size() == 0));

  std::string reencoded;
  for (const auto& p : params.items()) {
    if (!reencoded.empty()) reencoded += '&';
    reencoded += form_urlencode(p.name);
    reencoded += '=';
    reencoded += form_urlencode(p.value);
    FUZZ_CHECK(params.contains(p.name));
    FUZZ_CHECK(params.get(p.name).has_value());
    FUZZ_CHECK(params.count(p.name) == params.get_all(p.name).size());
  }
  auto again = parse_form_urlencoded(reencoded);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->size() == params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    FUZZ_CHECK(again->items()[i].name == params.items()[i].name);
    FUZZ_CHECK(again->items()[i].value == params.items()[i].value);
  }
  for (const auto& name : params.repeated_names()) FUZZ_CHECK(params.count(name) > 1);
  return 0;
}
