// The authorization request's pure checks. Authorizer::validate (grants/authorize.h) looks
// the client up through ClientCache, which reads PostgreSQL, so it cannot run here; this
// target runs what it is built from on the parameters of a fuzzed query string, parsed as
// the endpoint parses it (http/form.h): the scope grammar (grants/scope.h), the
// redirect_uri rules with uriparser underneath (grants/redirect_uri.h) and PKCE
// (grants/pkce.h). The raw input is also given to each check as one value.
// Invariants: a scope that parses formats back to itself; a redirect_uri is registered when
// it is on the list exactly and never by prefix; a valid S256 challenge is 43 base64url
// characters of 32 bytes; a valid verifier verifies against its own challenge.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/base64url.h"
#include "grants/pkce.h"
#include "grants/redirect_uri.h"
#include "grants/scope.h"
#include "http/form.h"
#include "tests/fuzz/fuzz_check.h"

using namespace keyward;
using namespace keyward::grants;

namespace {

void check_scope(std::string_view text) {
  const auto scope = parse_scope(text);
  if (!scope) return;
  FUZZ_CHECK(!scope->empty() || text.empty());
  const std::string formatted = format_scope(*scope);
  const auto again = parse_scope(formatted);
  FUZZ_CHECK(again && *again == *scope);
  FUZZ_CHECK(is_subset(*scope, *scope));
  FUZZ_CHECK(is_subset({}, *scope));
  ScopeSet fewer = *scope;
  if (!fewer.empty()) {
    fewer.erase(fewer.begin());
    FUZZ_CHECK(is_subset(fewer, *scope) && !is_subset(*scope, fewer));
  }
  for (const auto& token : *scope) {
    FUZZ_CHECK(!token.empty());
    for (const char c : token) {
      const auto u = static_cast<unsigned char>(c);
      FUZZ_CHECK(u == 0x21 || (u >= 0x23 && u <= 0x5B) || (u >= 0x5D && u <= 0x7E));
    }
  }
}

void check_redirect_uri(const std::string& uri) {
  (void)redirect_uri_problem(uri);
  FUZZ_CHECK(redirect_uri_registered(uri, {uri}));
  FUZZ_CHECK(!redirect_uri_registered(uri, {}));
  FUZZ_CHECK(!redirect_uri_registered(uri, {uri + "/"}));
  if (!uri.empty()) FUZZ_CHECK(!redirect_uri_registered(uri, {uri.substr(0, uri.size() - 1)}));
}

void check_pkce(const std::string& value) {
  if (is_valid_s256_challenge(value)) {
    FUZZ_CHECK(value.size() == 43);
    const auto digest = base64url_decode(value);
    FUZZ_CHECK(digest && digest->size() == 32);
  }
  if (is_valid_code_verifier(value)) {
    FUZZ_CHECK(value.size() >= 43 && value.size() <= 128);
    const std::string challenge = pkce_s256_challenge(value);
    FUZZ_CHECK(is_valid_s256_challenge(challenge));
    FUZZ_CHECK(pkce_verify(value, challenge));
    FUZZ_CHECK(!pkce_verify(value + "A", challenge));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  check_scope(input);
  check_redirect_uri(input);
  check_pkce(input);

  auto params = http::parse_form_urlencoded(input);
  if (!params.ok()) return 0;
  for (const auto& p : params->items()) {
    if (p.name == "scope" || p.name == "prompt") {
      check_scope(p.value);
    } else if (p.name == "redirect_uri") {
      check_redirect_uri(p.value);
    } else if (p.name == "code_challenge" || p.name == "code_verifier") {
      check_pkce(p.value);
    }
  }
  return 0;
}
