#include "jose/status.h"

namespace keyward::jose {

std::string_view to_string(Status status) {
  switch (status) {
    case Status::Ok:
      return "OK";
    case Status::JwtBadFormat:
      return "JWT is not a well-formed JWS compact serialisation";
    case Status::JwtHeaderBadJson:
      return "JWT header is not a valid JSON object";
    case Status::JwtAlgNotAllowed:
      return "JWT alg is not allowed";
    case Status::JwtHeaderForbiddenMember:
      return "JWT header carries a forbidden member";
    case Status::JwtKidMissing:
      return "JWT header has no kid";
    case Status::JwtPayloadBadJson:
      return "JWT payload is not a valid JSON object";
    case Status::JwtKidUnknown:
      return "JWT kid is not in the JWKS";
    case Status::JwksKeyMismatch:
      return "JWK does not fit the JWT alg";
    case Status::JwtSignatureInvalid:
      return "JWT signature is invalid";
    case Status::JwtClaimBadType:
      return "JWT claim has the wrong type";
    case Status::JwtMissingClaim:
      return "JWT lacks a required claim";
    case Status::JwtIssuerMismatch:
      return "JWT issuer is not the expected one";
    case Status::JwtExpired:
      return "JWT is expired";
    case Status::JwtNotYetValid:
      return "JWT is not yet valid";
    case Status::JwtIatInFuture:
      return "JWT was issued in the future";
    case Status::JwtAudienceMismatch:
      return "JWT audience is not allowed";
    case Status::JwtTypMismatch:
      return "JWT typ is not the expected one";
    case Status::JwksBadJson:
      return "JWKS is not a JSON object with a keys array";
    case Status::JwksNoUsableKeys:
      return "JWKS has no usable keys";
    case Status::JwkBadJson:
      return "JWK is malformed";
    case Status::JwkUnsupported:
      return "JWK key type or curve is not supported";
    case Status::JwkBadKey:
      return "JWK key material is invalid";
    case Status::JwkPrivateMember:
      return "JWK carries private key members";
    case Status::KeyBadPkcs8:
      return "private key is not valid PKCS#8 DER";
    case Status::KeyUnsupported:
      return "private key type or size is not supported";
  }
  return "unknown status";
}

}  // namespace keyward::jose
