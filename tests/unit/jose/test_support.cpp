#include "tests/unit/jose/test_support.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include <memory>
#include <stdexcept>

#include "jose/jws.h"

namespace keyward::jose::test {
namespace {

struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;

Bn bn_from_b64(std::string_view b64) {
  auto bytes = base64url_decode(b64);
  if (!bytes) throw std::runtime_error("bad base64url in test vector");
  return Bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes->data()),
                      static_cast<int>(bytes->size()), nullptr));
}

PrivateKey from_evp_via_pkcs8(EVP_PKEY* raw) {
  UniqueEvpPkey key(raw);
  if (!key) throw std::runtime_error("test key construction failed");
  std::unique_ptr<PKCS8_PRIV_KEY_INFO, decltype(&PKCS8_PRIV_KEY_INFO_free)> info(
      EVP_PKEY2PKCS8(key.get()), &PKCS8_PRIV_KEY_INFO_free);
  unsigned char* der = nullptr;
  const int len = i2d_PKCS8_PRIV_KEY_INFO(info.get(), &der);
  if (len <= 0) throw std::runtime_error("i2d_PKCS8_PRIV_KEY_INFO failed");
  std::string bytes(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  auto imported = PrivateKey::from_pkcs8_der(bytes);
  if (!imported) throw std::runtime_error("PrivateKey::from_pkcs8_der failed on a test vector");
  return std::move(imported).value();
}

EVP_PKEY* from_params(const char* type, OSSL_PARAM_BLD* bld) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_fromdata_init(ctx) != 1 ||
      EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_KEYPAIR, params) != 1) {
    key = nullptr;
  }
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  return key;
}

}  // namespace

PrivateKey a2_private_key() {
  // RFC 7515 A.2.1 gives n, e, d, p, q and the CRT values; q and the CRT values follow from
  // n, d and p, which keeps the vector short.
  Bn n = bn_from_b64(kA2Modulus), e = bn_from_b64("AQAB"), d = bn_from_b64(kA2PrivateExponent),
     p = bn_from_b64(kA2FirstPrime);
  Bn q(BN_new()), dp(BN_new()), dq(BN_new()), qi(BN_new()), p1(BN_new()), q1(BN_new()),
      rem(BN_new());
  BN_CTX* ctx = BN_CTX_new();
  BN_div(q.get(), rem.get(), n.get(), p.get(), ctx);
  if (!BN_is_zero(rem.get())) throw std::runtime_error("p does not divide n");
  BN_sub(p1.get(), p.get(), BN_value_one());
  BN_sub(q1.get(), q.get(), BN_value_one());
  BN_mod(dp.get(), d.get(), p1.get(), ctx);
  BN_mod(dq.get(), d.get(), q1.get(), ctx);
  BN_mod_inverse(qi.get(), q.get(), p.get(), ctx);
  BN_CTX_free(ctx);

  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n.get());
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e.get());
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, d.get());
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, p.get());
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, q.get());
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1, dp.get());
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2, dq.get());
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, qi.get());
  EVP_PKEY* key = from_params("RSA", bld);
  OSSL_PARAM_BLD_free(bld);
  return from_evp_via_pkcs8(key);
}

PrivateKey a3_private_key() {
  auto x = base64url_decode(kA3X), y = base64url_decode(kA3Y);
  std::string point = "\x04" + *x + *y;
  Bn d = bn_from_b64(kA3D);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0);
  OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d.get());
  EVP_PKEY* key = from_params("EC", bld);
  OSSL_PARAM_BLD_free(bld);
  return from_evp_via_pkcs8(key);
}

PrivateKey ed25519_private_key() {
  auto d = base64url_decode(kEd25519D);
  return from_evp_via_pkcs8(EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(d->data()), d->size()));
}

const PrivateKey& rsa_key() {
  static const PrivateKey key = PrivateKey::generate(Alg::RS256);
  return key;
}
const PrivateKey& rsa_key_2() {
  static const PrivateKey key = PrivateKey::generate(Alg::RS256);
  return key;
}
const PrivateKey& ec_key() {
  static const PrivateKey key = PrivateKey::generate(Alg::ES256);
  return key;
}
const PrivateKey& ed_key() {
  static const PrivateKey key = PrivateKey::generate(Alg::EdDSA);
  return key;
}

std::string sign_raw_header(const nlohmann::json& header, const nlohmann::json& claims,
                            const PrivateKey& key) {
  std::string input = base64url_encode(header.dump()) + "." + base64url_encode(claims.dump());
  const std::string signature = jws_sign(key, input);
  return input + "." + base64url_encode(signature);
}

size_t flip_every_signature_bit(std::string_view compact,
                                const std::function<void(const std::string&)>& check) {
  const size_t dot = compact.rfind('.');
  const std::string prefix(compact.substr(0, dot + 1));
  auto signature = base64url_decode(compact.substr(dot + 1));
  if (!signature) throw std::invalid_argument("signature is not base64url");
  size_t made = 0;
  for (size_t byte = 0; byte < signature->size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string flipped = *signature;
      flipped[byte] = static_cast<char>(flipped[byte] ^ (1 << bit));
      check(prefix + base64url_encode(flipped));
      ++made;
    }
  }
  return made;
}

}  // namespace keyward::jose::test
