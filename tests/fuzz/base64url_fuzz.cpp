// common/base64url.h: strict unpadded base64url (RFC 4648 §5).
// Invariants: decode(encode(x)) == x; the encoding uses only the alphabet and has the
// length RFC 4648 gives; and the decoder accepts only what the encoder makes: whatever it
// decodes encodes back to exactly the text it was given (one encoding per byte string).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/base64url.h"
#include "tests/fuzz/fuzz_check.h"

using keyward::base64url_decode;
using keyward::base64url_encode;

namespace {

bool in_alphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

// The value of an alphabet character.
int sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  return c == '-' ? 62 : 63;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  const std::string encoded = base64url_encode(input);
  FUZZ_CHECK(encoded.size() == (size * 4 + 2) / 3);
  for (const char c : encoded) FUZZ_CHECK(in_alphabet(c));
  const auto round_trip = base64url_decode(encoded);
  FUZZ_CHECK(round_trip.has_value());
  FUZZ_CHECK(*round_trip == input);

  const auto decoded = base64url_decode(input);
  if (decoded) {
    FUZZ_CHECK(base64url_encode(*decoded) == input);
  } else {
    // Refused text is never one the encoder writes: a byte outside the alphabet, a length
    // no byte count encodes to, or non-zero bits left over in the last character.
    bool alphabet = true;
    for (const char c : input) alphabet = alphabet && in_alphabet(c);
    if (alphabet && size % 4 != 1) {
      FUZZ_CHECK(size % 4 != 0);
      const int last = sextet(input.back());
      FUZZ_CHECK((size % 4 == 2 ? last & 0xF : last & 0x3) != 0);
    }
  }
  return 0;
}
