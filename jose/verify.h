#pragma once
// The whole verification of a JWT access or ID token in one call.
#include <span>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "jose/alg.h"
#include "jose/claims.h"
#include "jose/jwks.h"
#include "jose/jwt.h"
#include "jose/status.h"

namespace keyward::jose {

// Cheap checks first, in Envoy's order, and nothing trusted until all pass: parse, header (alg
// on the allow-list, no forbidden member, kid present), claims (validate_claims), then key
// selection and the signature (verify_signature). An expired or foreign token therefore never
// costs a signature check nor, with an unknown kid, a JWKS refetch. Returns the token only if
// every check passed.
[[nodiscard]] Result<Jwt, Status> verify_jwt(std::string_view compact, const Jwks& jwks,
                                             std::span<const Alg> allowed,
                                             const ClaimPolicy& policy, TimePoint now);

}  // namespace keyward::jose
