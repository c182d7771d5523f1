// jose/jwks.h, jwk.h: a JWK Set from arbitrary bytes (what a resource server fetches).
// Invariants: a set that parses has at least one key, each key can be looked up by its kid,
// and the published form (to_public_json) parses again to the same keys, with the same
// thumbprints, the same algorithms they may verify, and no private member.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "jose/jwk.h"
#include "jose/jwks.h"
#include "tests/fuzz/fuzz_check.h"

using namespace keyward::jose;

namespace {

constexpr std::array<std::string_view, 8> kPrivateMembers = {"d",  "p",  "q",   "dp",
                                                             "dq", "qi", "oth", "k"};

void check_public_only(const nlohmann::json& jwk) {
  for (const auto member : kPrivateMembers) FUZZ_CHECK(!jwk.contains(member));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // One key on its own, when the input is a JSON object.
  const auto json = nlohmann::json::parse(input, nullptr, false);
  if (json.is_object()) {
    auto jwk = Jwk::from_json(json);
    if (jwk.ok()) {
      check_public_only(jwk->to_json());
      auto again = Jwk::from_json(jwk->to_json());
      FUZZ_CHECK(again.ok());
      FUZZ_CHECK(again->thumbprint() == jwk->thumbprint());
      FUZZ_CHECK(again->public_key().same_key(jwk->public_key()));
    }
  }

  auto parsed = Jwks::parse(input);
  if (!parsed.ok()) return 0;
  const Jwks& jwks = *parsed;
  FUZZ_CHECK(!jwks.keys().empty());
  for (const Jwk& key : jwks.keys()) {
    // A key may fit no algorithm (use "enc", say): kept, never selected.
    for (const Alg alg : kAllAlgs) {
      if (key.fits(alg) != Status::Ok) continue;
      FUZZ_CHECK(jwks.find(key.kid(), alg) != nullptr);
      FUZZ_CHECK(jwks.select(key.kid(), alg).ok());
    }
  }

  const std::string published = jwks.to_public_json();
  const auto published_json = nlohmann::json::parse(published);
  for (const auto& jwk : published_json.at("keys")) check_public_only(jwk);
  auto again = Jwks::parse(published);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->keys().size() == jwks.keys().size());
  for (size_t i = 0; i < jwks.keys().size(); ++i) {
    FUZZ_CHECK(again->keys()[i].kid() == jwks.keys()[i].kid());
    FUZZ_CHECK(again->keys()[i].thumbprint() == jwks.keys()[i].thumbprint());
    for (const Alg alg : kAllAlgs) {
      FUZZ_CHECK((again->keys()[i].fits(alg) == Status::Ok) ==
                 (jwks.keys()[i].fits(alg) == Status::Ok));
    }
  }
  return 0;
}
