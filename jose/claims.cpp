#include "jose/claims.h"

#include <algorithm>
#include <cmath>
#include <string_view>

#include "common/text.h"

namespace keyward::jose {
namespace {

using json = nlohmann::json;

// A NumericDate (RFC 7519 §2): a JSON number of seconds, possibly non-integer.
std::optional<double> numeric_date(const json& value) {
  if (!value.is_number()) return std::nullopt;
  const double seconds = value.get<double>();
  if (!std::isfinite(seconds)) return std::nullopt;
  return seconds;
}

// RFC 7515 §4.1.9: "application/at+jwt" and "at+jwt" name the same media type.
std::string_view without_application_prefix(std::string_view typ) {
  constexpr std::string_view kPrefix = "application/";
  if (typ.size() > kPrefix.size() && iequals(typ.substr(0, kPrefix.size()), kPrefix)) {
    typ.remove_prefix(kPrefix.size());
  }
  return typ;
}

Status check_issuer(const json& claims, const std::string& issuer) {
  auto it = claims.find("iss");
  if (it == claims.end()) return Status::JwtMissingClaim;
  if (!it->is_string()) return Status::JwtClaimBadType;
  if (issuer.empty() || it->get_ref<const std::string&>() != issuer) {
    return Status::JwtIssuerMismatch;
  }
  return Status::Ok;
}

Status check_times(const json& claims, double now, double leeway) {
  if (auto it = claims.find("exp"); it != claims.end()) {
    auto exp = numeric_date(*it);
    if (!exp) return Status::JwtClaimBadType;
    if (now >= *exp + leeway) return Status::JwtExpired;  // RFC 7519 §4.1.4: "on or after"
  }
  if (auto it = claims.find("nbf"); it != claims.end()) {
    auto nbf = numeric_date(*it);
    if (!nbf) return Status::JwtClaimBadType;
    if (now < *nbf - leeway) return Status::JwtNotYetValid;  // RFC 7519 §4.1.5: "before"
  }
  if (auto it = claims.find("iat"); it != claims.end()) {
    auto iat = numeric_date(*it);
    if (!iat) return Status::JwtClaimBadType;
    if (*iat > now + leeway) return Status::JwtIatInFuture;
  }
  return Status::Ok;
}

bool is_ours(const json& value, const std::vector<std::string>& audiences) {
  const auto& aud = value.get_ref<const std::string&>();
  return std::find(audiences.begin(), audiences.end(), aud) != audiences.end();
}

Status check_audience(const json& claims, const ClaimPolicy& policy) {
  const auto& audiences = policy.audiences;
  auto it = claims.find("aud");
  if (it == claims.end()) {
    return audiences.empty() || policy.any_audience ? Status::Ok : Status::JwtAudienceMismatch;
  }
  if (it->is_string()) {
    return policy.any_audience || is_ours(*it, audiences) ? Status::Ok
                                                          : Status::JwtAudienceMismatch;
  }
  if (!it->is_array()) return Status::JwtClaimBadType;
  bool matched = policy.any_audience;
  for (const auto& value : *it) {
    if (!value.is_string()) return Status::JwtClaimBadType;
    matched = matched || is_ours(value, audiences);
  }
  return matched ? Status::Ok : Status::JwtAudienceMismatch;
}

Status check_typ(const JwsHeader& header, const std::optional<std::string>& expected) {
  if (!expected) return Status::Ok;
  if (!header.typ()) return Status::JwtTypMismatch;
  return iequals(without_application_prefix(*header.typ()), without_application_prefix(*expected))
             ? Status::Ok
             : Status::JwtTypMismatch;
}

}  // namespace

Status validate_claims(const Jwt& jwt, const ClaimPolicy& policy, TimePoint now) {
  const json& claims = jwt.claims();
  if (Status s = check_issuer(claims, policy.issuer); s != Status::Ok) return s;
  const double now_seconds = std::chrono::duration<double>(now.time_since_epoch()).count();
  const double leeway =
      static_cast<double>(std::max(policy.leeway.count(), decltype(policy.leeway)::rep{0}));
  if (Status s = check_times(claims, now_seconds, leeway); s != Status::Ok) return s;
  if (Status s = check_audience(claims, policy); s != Status::Ok) return s;
  if (Status s = check_typ(jwt.header(), policy.typ); s != Status::Ok) return s;
  for (const auto& name : policy.required_claims) {
    if (!claims.contains(name)) return Status::JwtMissingClaim;
  }
  return Status::Ok;
}

}  // namespace keyward::jose
