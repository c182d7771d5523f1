#include "jose/verify.h"

#include "jose/jws.h"

namespace keyward::jose {

Result<Jwt, Status> verify_jwt(std::string_view compact, const Jwks& jwks,
                               std::span<const Alg> allowed, const ClaimPolicy& policy,
                               TimePoint now) {
  auto jwt = Jwt::parse(compact);
  if (!jwt) return err(jwt.error());
  if (Status s = check_jws_header(*jwt, allowed); s != Status::Ok) return err(s);
  if (Status s = validate_claims(*jwt, policy, now); s != Status::Ok) return err(s);
  if (Status s = verify_signature(*jwt, jwks, allowed); s != Status::Ok) return err(s);
  return std::move(jwt).value();
}

}  // namespace keyward::jose
