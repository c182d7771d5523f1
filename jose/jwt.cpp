#include "jose/jwt.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "common/base64url.h"
#include "jose/jws.h"

namespace keyward::jose {
namespace {

using json = nlohmann::json;

// Far deeper than any real header or claims set; bounds the work a hostile token can cause.
constexpr int kMaxJsonDepth = 32;

// A JSON object with no member name repeated at any level, or nullopt. RFC 7515 §5.2 step 4 and
// RFC 7519 §4 allow rejecting duplicates, and rejecting them means no two parsers can read one
// token differently.
std::optional<json> parse_object(std::string_view text) {
  // Counting member names per open object and comparing with the finished object's size finds
  // duplicates without keeping the names: nlohmann::json keeps only the last of a repeated name.
  std::vector<size_t> names;
  bool rejected = false;
  auto check = [&](int depth, json::parse_event_t event, json& parsed) {
    if (depth > kMaxJsonDepth) rejected = true;
    switch (event) {
      case json::parse_event_t::object_start:
        names.push_back(0);
        break;
      case json::parse_event_t::key:
        ++names.back();
        break;
      case json::parse_event_t::object_end:
        if (parsed.size() != names.back()) rejected = true;
        names.pop_back();
        break;
      default:
        break;
    }
    return true;
  };
  json value = json::parse(text.begin(), text.end(), check, /*allow_exceptions=*/false);
  if (rejected || value.is_discarded() || !value.is_object()) return std::nullopt;
  return value;
}

// A header member that must be a string when present; nullopt when absent.
Result<std::optional<std::string>, Status> optional_string(const json& header, const char* name) {
  auto it = header.find(name);
  if (it == header.end()) return std::optional<std::string>();
  if (!it->is_string()) return err(Status::JwtHeaderBadJson);
  return std::optional<std::string>(it->get<std::string>());
}

std::string encode_header(Alg alg, const JwtHeaderParams& params) {
  json header = {{"alg", alg_name(alg)}};
  if (!params.kid.empty()) header["kid"] = params.kid;
  if (!params.typ.empty()) header["typ"] = params.typ;
  return base64url_encode(header.dump());
}

std::string sign_with_prefix(const std::string& prefix, const json& claims, const PrivateKey& key) {
  if (!claims.is_object()) throw std::invalid_argument("JWT claims must be a JSON object");
  std::string token = prefix;
  token += base64url_encode(claims.dump());
  const std::string signature = jws_sign(key, token);
  token += '.';
  token += base64url_encode(signature);
  return token;
}

}  // namespace

Result<Jwt, Status> Jwt::parse(std::string_view compact) {
  if (compact.size() > kMaxCompactSize) return err(Status::JwtBadFormat);
  const size_t dot1 = compact.find('.');
  if (dot1 == std::string_view::npos) return err(Status::JwtBadFormat);
  const size_t dot2 = compact.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || compact.find('.', dot2 + 1) != std::string_view::npos) {
    return err(Status::JwtBadFormat);  // RFC 7515 §7.1: exactly three parts (five is a JWE)
  }
  const std::string_view header_b64 = compact.substr(0, dot1);
  const std::string_view payload_b64 = compact.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string_view signature_b64 = compact.substr(dot2 + 1);
  if (header_b64.empty() || payload_b64.empty()) return err(Status::JwtBadFormat);

  auto header_bytes = base64url_decode(header_b64);
  auto payload_bytes = base64url_decode(payload_b64);
  auto signature = base64url_decode(signature_b64);
  if (!header_bytes || !payload_bytes || !signature) return err(Status::JwtBadFormat);

  Jwt jwt;
  auto header = parse_object(*header_bytes);
  if (!header) return err(Status::JwtHeaderBadJson);
  auto alg = optional_string(*header, "alg");
  auto kid = optional_string(*header, "kid");
  auto typ = optional_string(*header, "typ");
  if (!alg || !alg->has_value() || !kid || !typ) return err(Status::JwtHeaderBadJson);
  jwt.header_.alg_ = std::move(**alg);
  jwt.header_.kid_ = kid->value_or(std::string());
  jwt.header_.typ_ = std::move(*typ);
  jwt.header_.json_ = std::move(*header);

  auto claims = parse_object(*payload_bytes);
  if (!claims) return err(Status::JwtPayloadBadJson);
  jwt.claims_ = std::move(*claims);

  jwt.compact_ = std::string(compact);
  jwt.signing_input_size_ = dot2;
  jwt.signature_ = std::move(*signature);
  return jwt;
}

JwtSigner::JwtSigner(PrivateKey key, JwtHeaderParams header)
    : key_(std::move(key)), kid_(header.kid), prefix_(encode_header(key_.alg(), header) + '.') {}

std::string JwtSigner::sign(const json& claims) const {
  return sign_with_prefix(prefix_, claims, key_);
}

std::string sign_jwt(const JwtHeaderParams& header, const json& claims, const PrivateKey& key,
                     Alg alg) {
  if (key.alg() != alg) throw std::invalid_argument("signing key does not fit the algorithm");
  return sign_with_prefix(encode_header(alg, header) + '.', claims, key);
}

}  // namespace keyward::jose
