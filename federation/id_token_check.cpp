#include "federation/id_token_check.h"

#include "common/crypto.h"
#include "common/text.h"
#include "jose/alg.h"
#include "jose/claims.h"
#include "jose/verify.h"

namespace keyward::federation {
namespace {

using nlohmann::json;

constexpr size_t kMaxSubject = 255;

IdTokenError fault(IdTokenFault f) {
  return IdTokenError{f, jose::Status::Ok};
}

bool is_access_token_typ(const std::optional<std::string>& typ) {
  return typ && (iequals(*typ, "at+jwt") || iequals(*typ, "application/at+jwt"));
}

}  // namespace

std::string IdTokenError::describe() const {
  switch (fault) {
    case IdTokenFault::Jose:
      return "ID token refused: " + std::string(jose::to_string(status));
    case IdTokenFault::AccessTokenTyp:
      return "ID token refused: its typ is that of an access token";
    case IdTokenFault::AzpMissing:
      return "ID token refused: several audiences and no azp";
    case IdTokenFault::AzpMismatch:
      return "ID token refused: azp is not our client_id";
    case IdTokenFault::NonceMissing:
      return "ID token refused: no nonce";
    case IdTokenFault::NonceMismatch:
      return "ID token refused: the nonce is not the one sent";
    case IdTokenFault::SubjectInvalid:
      return "ID token refused: sub is missing, not a string, empty, too long or has a control "
             "character";
  }
  return "ID token refused";
}

Result<json, IdTokenError> check_id_token(std::string_view compact, const jose::Jwks& jwks,
                                          const IdTokenExpectations& expected) {
  jose::ClaimPolicy policy;
  policy.issuer = expected.issuer;
  policy.audiences = {expected.client_id};
  policy.leeway = expected.leeway;
  // OIDC Core §2: exp and iat are required.
  policy.required_claims = {"exp", "iat"};
  auto jwt = jose::verify_jwt(compact, jwks, jose::kAllAlgs, policy, expected.now);
  if (!jwt.ok()) return err(IdTokenError{IdTokenFault::Jose, jwt.error()});
  if (is_access_token_typ(jwt->header().typ())) return err(fault(IdTokenFault::AccessTokenTyp));

  const json& claims = jwt->claims();
  // OIDC Core §3.1.3.7 steps 4 and 5 (and the errata's stricter reading): with several
  // audiences azp must say which party the token was issued to, and when present it must
  // be us.
  const auto aud = claims.find("aud");
  const bool several_audiences = aud != claims.end() && aud->is_array() && aud->size() > 1;
  const auto azp = claims.find("azp");
  if (azp == claims.end()) {
    if (several_audiences) return err(fault(IdTokenFault::AzpMissing));
  } else if (!azp->is_string() || azp->get<std::string>() != expected.client_id) {
    return err(fault(IdTokenFault::AzpMismatch));
  }
  // OIDC Core §3.1.3.7 step 11: we always send a nonce, so it must come back unchanged.
  const auto nonce = claims.find("nonce");
  if (nonce == claims.end() || !nonce->is_string()) return err(fault(IdTokenFault::NonceMissing));
  if (!equal_constant_time(nonce->get<std::string>(), expected.nonce)) {
    return err(fault(IdTokenFault::NonceMismatch));
  }
  const auto sub = claims.find("sub");
  if (sub == claims.end() || !sub->is_string() || sub->get<std::string>().empty() ||
      sub->get<std::string>().size() > kMaxSubject || has_control(sub->get<std::string>())) {
    return err(fault(IdTokenFault::SubjectInvalid));
  }
  return claims;
}

}  // namespace keyward::federation
