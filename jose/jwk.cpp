#include "jose/jwk.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "common/base64url.h"
#include "common/crypto.h"

namespace keyward::jose {
namespace {

using json = nlohmann::json;

// RFC 7517 §9.3 / RFC 7518 §6.2.2, §6.3.2 / RFC 8037 §2: members that only a private (or
// symmetric) key has.
constexpr std::array<std::string_view, 8> kPrivateMembers = {"d",  "p",  "q",   "dp",
                                                             "dq", "qi", "oth", "k"};

constexpr size_t kP256CoordinateSize = 32;
constexpr size_t kEd25519KeySize = 32;

struct BnFree {
  void operator()(BIGNUM* bn) const noexcept { BN_free(bn); }
};
using UniqueBn = std::unique_ptr<BIGNUM, BnFree>;

struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* b) const noexcept { OSSL_PARAM_BLD_free(b); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const noexcept { OSSL_PARAM_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const noexcept { EVP_PKEY_CTX_free(c); }
};
using UniquePkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;

// A required string member decoded from strict base64url.
Result<std::string, Status> b64_member(const json& jwk, const char* name) {
  auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) return err(Status::JwkBadJson);
  auto bytes = base64url_decode(it->get_ref<const std::string&>());
  if (!bytes || bytes->empty()) return err(Status::JwkBadKey);
  return std::move(*bytes);
}

Result<std::string, Status> string_member(const json& jwk, const char* name) {
  auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) return err(Status::JwkBadJson);
  return it->get<std::string>();
}

UniqueBn to_bn(std::string_view bytes) {
  return UniqueBn(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                            static_cast<int>(bytes.size()), nullptr));
}

// Builds a public EVP_PKEY of the given OpenSSL type from parameters. With check, OpenSSL's quick
// public key check runs too: for EC, a point on the curve and not at infinity, which for P-256
// (cofactor 1) also means a point of the right order.
UniqueEvpPkey from_params(const char* type, OSSL_PARAM_BLD* bld, bool check) {
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld));
  UniquePkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) return nullptr;
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) return nullptr;
  UniqueEvpPkey key(raw);
  if (check) {
    UniquePkeyCtx checker(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    if (!checker || EVP_PKEY_public_check_quick(checker.get()) != 1) return nullptr;
  }
  return key;
}

Result<UniqueEvpPkey, Status> import_rsa(const json& jwk) {
  auto n = b64_member(jwk, "n");
  if (!n) return err(n.error());
  auto e = b64_member(jwk, "e");
  if (!e) return err(e.error());
  // Structural checks only. OpenSSL's SP 800-56B public check adds a primality test of n that
  // costs milliseconds per key and protects nothing here: the key comes from a JWKS we already
  // trust. e is checked because e = 1 would make every padded message its own signature.
  const auto first = n->find_first_not_of('\0');
  if (first == std::string::npos) return err(Status::JwkBadKey);
  const size_t n_len = n->size() - first;
  constexpr size_t kMinBytes = kMinRsaBits / 8, kMaxBytes = kMaxRsaBits / 8;
  if (n_len < kMinBytes || n_len > kMaxBytes || (n->back() & 1) == 0) return err(Status::JwkBadKey);
  // RFC 8017 §3.1: 3 <= e < n, and e odd; we also cap it at 64 bits, as every real key is.
  const auto e_first = e->find_first_not_of('\0');
  if (e_first == std::string::npos || e->size() - e_first > 8 || (e->back() & 1) == 0 ||
      (e->size() - e_first == 1 && static_cast<unsigned char>(e->back()) < 3)) {
    return err(Status::JwkBadKey);
  }
  UniqueBn bn_n = to_bn(*n), bn_e = to_bn(*e);
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !bld ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    throw std::runtime_error("OSSL_PARAM_BLD failed");
  }
  auto key = from_params("RSA", bld.get(), /*check=*/false);
  if (!key) return err(Status::JwkBadKey);
  return key;
}

Result<UniqueEvpPkey, Status> import_ec(const json& jwk) {
  auto crv = string_member(jwk, "crv");
  if (!crv) return err(crv.error());
  if (*crv != "P-256") return err(Status::JwkUnsupported);
  auto x = b64_member(jwk, "x");
  if (!x) return err(x.error());
  auto y = b64_member(jwk, "y");
  if (!y) return err(y.error());
  // RFC 7518 §6.2.1.2-3: each coordinate is the full size, leading zeros included.
  if (x->size() != kP256CoordinateSize || y->size() != kP256CoordinateSize) {
    return err(Status::JwkBadKey);
  }
  std::string point = "\x04" + *x + *y;  // SEC 1 §2.3.3 uncompressed point
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    throw std::runtime_error("OSSL_PARAM_BLD failed");
  }
  auto key = from_params("EC", bld.get(), /*check=*/true);
  if (!key) return err(Status::JwkBadKey);
  return key;
}

Result<UniqueEvpPkey, Status> import_okp(const json& jwk) {
  auto crv = string_member(jwk, "crv");
  if (!crv) return err(crv.error());
  if (*crv != "Ed25519") return err(Status::JwkUnsupported);  // Ed448, X25519, X448
  auto x = b64_member(jwk, "x");
  if (!x) return err(x.error());
  if (x->size() != kEd25519KeySize) return err(Status::JwkBadKey);
  UniqueEvpPkey key(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(x->data()), x->size()));
  if (!key) return err(Status::JwkBadKey);
  return key;
}

std::string bn_param(EVP_PKEY* key, const char* name, int pad_to) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1)
    throw std::runtime_error("EVP_PKEY_get_bn_param");
  UniqueBn bn(raw);
  const int len = pad_to > 0 ? pad_to : BN_num_bytes(bn.get());
  std::string out(static_cast<size_t>(len), '\0');
  if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()), len) != len) {
    throw std::runtime_error("BN_bn2binpad");
  }
  return out;
}

// RFC 7638 §3.2 required members in their canonical encodings, straight from the key: minimal
// big-endian n and e (RFC 7518 §6.3.1), full-length EC coordinates (§6.2.1).
json required_members(const PublicKey& key) {
  EVP_PKEY* k = key.evp();
  switch (key.type()) {
    case KeyType::Rsa:
      return {{"kty", "RSA"},
              {"n", base64url_encode(bn_param(k, OSSL_PKEY_PARAM_RSA_N, 0))},
              {"e", base64url_encode(bn_param(k, OSSL_PKEY_PARAM_RSA_E, 0))}};
    case KeyType::EcP256:
      return {{"kty", "EC"},
              {"crv", "P-256"},
              {"x", base64url_encode(bn_param(k, OSSL_PKEY_PARAM_EC_PUB_X, kP256CoordinateSize))},
              {"y", base64url_encode(bn_param(k, OSSL_PKEY_PARAM_EC_PUB_Y, kP256CoordinateSize))}};
    case KeyType::Ed25519: {
      std::string x(kEd25519KeySize, '\0');
      size_t len = x.size();
      if (EVP_PKEY_get_raw_public_key(k, reinterpret_cast<unsigned char*>(x.data()), &len) != 1 ||
          len != kEd25519KeySize) {
        throw std::runtime_error("EVP_PKEY_get_raw_public_key");
      }
      return {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", base64url_encode(x)}};
    }
  }
  throw std::logic_error("unknown key type");
}

// An optional string member: absent gives "", present but not a string is malformed.
Result<std::string, Status> optional_string(const json& jwk, const char* name) {
  auto it = jwk.find(name);
  if (it == jwk.end()) return std::string();
  if (!it->is_string()) return err(Status::JwkBadJson);
  return it->get<std::string>();
}

}  // namespace

Result<Jwk, Status> Jwk::from_json(const json& jwk) {
  if (!jwk.is_object()) return err(Status::JwkBadJson);
  for (std::string_view member : kPrivateMembers) {
    if (jwk.contains(member)) return err(Status::JwkPrivateMember);
  }
  auto kty = string_member(jwk, "kty");
  if (!kty) return err(kty.error());

  Result<UniqueEvpPkey, Status> imported = err(Status::JwkUnsupported);
  if (*kty == "RSA") {
    imported = import_rsa(jwk);
  } else if (*kty == "EC") {
    imported = import_ec(jwk);
  } else if (*kty == "OKP") {
    imported = import_okp(jwk);
  }
  if (!imported) return err(imported.error());
  auto key = PublicKey::from_evp(std::move(imported).value());
  if (!key) return err(key.error());

  auto kid = optional_string(jwk, "kid");
  auto alg = optional_string(jwk, "alg");
  auto use = optional_string(jwk, "use");
  if (!kid || !alg || !use) return err(Status::JwkBadJson);

  std::optional<std::vector<std::string>> key_ops;
  if (auto it = jwk.find("key_ops"); it != jwk.end()) {
    if (!it->is_array()) return err(Status::JwkBadJson);
    key_ops.emplace();
    for (const auto& op : *it) {
      if (!op.is_string()) return err(Status::JwkBadJson);
      key_ops->push_back(op.get<std::string>());
    }
  }

  Jwk out(key.value(), required_members(key.value()));
  out.kid_ = std::move(kid).value();
  out.alg_ = std::move(alg).value();
  out.use_ = std::move(use).value();
  out.key_ops_ = std::move(key_ops);
  return out;
}

Jwk Jwk::from_public_key(const PublicKey& key, std::string kid) {
  Jwk out(key, required_members(key));
  out.kid_ = kid.empty() ? out.thumbprint() : std::move(kid);
  out.alg_ = std::string(alg_name(key.alg()));
  out.use_ = "sig";
  return out;
}

Status Jwk::fits(Alg alg) const {
  if (type() != key_type_for(alg)) return Status::JwksKeyMismatch;
  if (!alg_.empty() && alg_ != alg_name(alg)) return Status::JwksKeyMismatch;
  if (!use_.empty() && use_ != "sig") return Status::JwksKeyMismatch;
  if (key_ops_ && std::find(key_ops_->begin(), key_ops_->end(), "verify") == key_ops_->end()) {
    return Status::JwksKeyMismatch;
  }
  return Status::Ok;
}

std::string Jwk::thumbprint() const {
  // nlohmann::json keeps object members sorted and dump() emits no whitespace: exactly the
  // RFC 7638 §3.3 canonical form for these ASCII-only members.
  return base64url_encode(sha256(required_.dump()));
}

json Jwk::to_json() const {
  json out = required_;
  if (!kid_.empty()) out["kid"] = kid_;
  if (!alg_.empty()) out["alg"] = alg_;
  if (!use_.empty()) out["use"] = use_;
  if (key_ops_) out["key_ops"] = *key_ops_;
  return out;
}

}  // namespace keyward::jose
