// resource_server/bearer.h: the RFC 6750 §2.1 Authorization header and the §3 challenges.
// The input's first byte says whether an access_token query parameter was also sent; the
// rest, split at '\n', is the request's Authorization fields.
// Invariants: a token comes out only from a single "Bearer" field, is a b64token and lies
// inside that field; every challenge is printable ASCII whose quoted-strings hold no '"'
// or '\\', whatever realm and description it is given.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "resource_server/bearer.h"
#include "tests/fuzz/fuzz_check.h"

using namespace keyward;

namespace {

bool is_b64token_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=';
}

bool starts_with_bearer(std::string_view field) {
  constexpr std::string_view kBearer = "bearer ";
  if (field.size() < kBearer.size()) return false;
  for (size_t i = 0; i < kBearer.size(); ++i) {
    const char c = field[i] >= 'A' && field[i] <= 'Z' ? static_cast<char>(field[i] + 32) : field[i];
    if (c != kBearer[i]) return false;
  }
  return true;
}

// `Bearer realm="..."` then `, name="..."` pairs: printable ASCII, and quotes only where the
// syntax puts them (so an even number, two per parameter).
void check_challenge(const rs::BearerError& e) {
  const std::string& c = e.www_authenticate;
  FUZZ_CHECK(c.rfind("Bearer realm=\"", 0) == 0);
  size_t quotes = 0;
  for (const char ch : c) {
    FUZZ_CHECK(ch >= 0x20 && ch <= 0x7e && ch != '\\');
    if (ch == '"') ++quotes;
  }
  const size_t params = 1 + !e.error.empty() + !e.description.empty() + !e.scope.empty();
  FUZZ_CHECK(quotes == 2 * params || (e.error.empty() && quotes == 2));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool in_query = (data[0] & 1) != 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);

  std::vector<std::string_view> fields;
  if (!rest.empty()) {
    size_t start = 0;
    while (true) {
      const size_t end = rest.find('\n', start);
      fields.push_back(rest.substr(start, end == std::string_view::npos ? end : end - start));
      if (end == std::string_view::npos) break;
      start = end + 1;
    }
  }

  auto token = rs::bearer_token(fields, in_query);
  if (token.ok()) {
    FUZZ_CHECK(!in_query && fields.size() <= 1);
    if (*token) {
      const std::string_view t = **token;
      FUZZ_CHECK(fields.size() == 1 && !t.empty());
      FUZZ_CHECK(starts_with_bearer(fields.front()));
      FUZZ_CHECK(t.data() >= fields.front().data() &&
                 t.data() + t.size() <= fields.front().data() + fields.front().size());
      for (const char c : t) FUZZ_CHECK(is_b64token_char(c));
      FUZZ_CHECK(t.front() != '=');
    } else {
      FUZZ_CHECK(fields.empty() || !starts_with_bearer(std::string(fields.front()) + " "));
    }
  } else {
    FUZZ_CHECK(!token.error().empty());
    const auto e = rs::invalid_request("api", token.error());
    FUZZ_CHECK(e.status == 400);
    check_challenge(e);
    (void)e.body().dump();
  }

  // Hostile realm and description: the challenge stays well-formed.
  const std::string_view realm = fields.empty() ? std::string_view() : fields.front();
  const std::string_view description = fields.size() > 1 ? fields[1] : rest;
  check_challenge(rs::invalid_request(realm, description));
  check_challenge(rs::insufficient_scope(realm, description));
  check_challenge(rs::missing_token(realm));
  check_challenge(rs::invalid_token(realm, jose::Status::JwtExpired));
  return 0;
}
