#include "jose/jws.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <memory>
#include <stdexcept>

namespace keyward::jose {
namespace {

constexpr size_t kEs256CoordinateSize = 32;  // RFC 7518 §3.4: R and S, 32 bytes each

// RFC 8725 §3.10 and RFC 7515 §4.1.2-4.1.6: the key comes from our JWKS, never from the token;
// RFC 7515 §4.1.11: we understand no extension, so any crit is a reason to reject.
constexpr std::array<std::string_view, 5> kForbiddenHeaderMembers = {"jwk", "jku", "x5u", "x5c",
                                                                     "crit"};

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
};
using UniqueMdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

struct EcdsaSigFree {
  void operator()(ECDSA_SIG* sig) const noexcept { ECDSA_SIG_free(sig); }
};
using UniqueEcdsaSig = std::unique_ptr<ECDSA_SIG, EcdsaSigFree>;

// SHA-256 fetched once, so each signature skips OpenSSL 3's implicit algorithm fetch.
const EVP_MD* sha256_md() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

// EdDSA hashes internally (RFC 8032 §5.1.6), so it takes no digest.
const EVP_MD* digest_for(KeyType type) {
  return type == KeyType::Ed25519 ? nullptr : sha256_md();
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// DER ECDSA-Sig-Value (what OpenSSL produces) to JWS R || S.
std::string der_to_raw(std::string_view der) {
  const unsigned char* p = bytes(der);
  UniqueEcdsaSig sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) throw std::runtime_error("d2i_ECDSA_SIG failed");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string raw(2 * kEs256CoordinateSize, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(r, out, kEs256CoordinateSize) != kEs256CoordinateSize ||
      BN_bn2binpad(s, out + kEs256CoordinateSize, kEs256CoordinateSize) != kEs256CoordinateSize) {
    throw std::runtime_error("ECDSA signature does not fit P-256");
  }
  return raw;
}

// JWS R || S to DER, for OpenSSL to verify; empty if it is not 64 bytes.
std::string raw_to_der(std::string_view raw) {
  if (raw.size() != 2 * kEs256CoordinateSize) return {};
  UniqueEcdsaSig sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(bytes(raw), kEs256CoordinateSize, nullptr);
  BIGNUM* s = BN_bin2bn(bytes(raw) + kEs256CoordinateSize, kEs256CoordinateSize, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    throw std::runtime_error("ECDSA_SIG_set0 failed");
  }
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) throw std::runtime_error("i2d_ECDSA_SIG failed");
  std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

enum class Operation { Sign, Verify };

UniqueMdCtx fresh_context(Operation op, KeyType type, EVP_PKEY* key) {
  UniqueMdCtx ctx(EVP_MD_CTX_new());
  const bool ok =
      ctx && (op == Operation::Sign
                  ? EVP_DigestSignInit(ctx.get(), nullptr, digest_for(type), nullptr, key)
                  : EVP_DigestVerifyInit(ctx.get(), nullptr, digest_for(type), nullptr, key)) == 1;
  if (!ok) throw std::runtime_error("EVP_DigestSignInit/EVP_DigestVerifyInit failed");
  return ctx;
}

// OpenSSL 3's EVP_DigestSignInit (and VerifyInit) fetches the signature algorithm and the
// digest by name and builds the provider's context on every call: about 28,000 instructions,
// where copying a prepared context costs 3,400 (bench/token_profile.sh). So each thread keeps,
// per key it uses, a context initialised once, and every operation works on a copy of it
// (EVP_MD_CTX_copy_ex duplicates its EVP_PKEY_CTX): no fetch, no set-up, the same bytes.
// A prepared context holds a reference to its EVP_PKEY, so no other key can take that
// address while the entry lives; a few entries cover the active key and a rotation (a retired
// key lives on here until evicted, as it does in the key snapshot).
class PreparedContexts {
 public:
  // A context ready for one operation with key; valid until the next call on this thread.
  EVP_MD_CTX* ready(Operation op, KeyType type, EVP_PKEY* key) {
    const EVP_MD_CTX* prepared = find_or_prepare(op, type, key);
    if (!work_) work_.reset(EVP_MD_CTX_new());
    if (work_ && EVP_MD_CTX_copy_ex(work_.get(), prepared) == 1) return work_.get();
    ERR_clear_error();  // cannot copy (an OpenSSL without it): set up from scratch
    work_ = fresh_context(op, type, key);
    return work_.get();
  }

 private:
  struct Entry {
    Operation op = Operation::Sign;
    const EVP_PKEY* key = nullptr;
    UniqueMdCtx ctx;
  };
  static constexpr size_t kEntries = 4;

  const EVP_MD_CTX* find_or_prepare(Operation op, KeyType type, EVP_PKEY* key) {
    for (const auto& e : entries_) {
      if (e.key == key && e.op == op) return e.ctx.get();
    }
    Entry& slot = entries_[next_];
    next_ = (next_ + 1) % kEntries;
    slot.ctx = fresh_context(op, type, key);
    slot.op = op;
    slot.key = key;
    return slot.ctx.get();
  }

  std::array<Entry, kEntries> entries_;
  size_t next_ = 0;
  UniqueMdCtx work_;
};

thread_local PreparedContexts prepared_contexts;

}  // namespace

std::string jws_sign(const PrivateKey& key, std::string_view signing_input) {
  EVP_MD_CTX* ctx = prepared_contexts.ready(Operation::Sign, key.type(), key.evp());
  // The copy signs once: EVP_DigestSignFinal may finish it in place instead of duplicating it.
  EVP_MD_CTX_set_flags(ctx, EVP_MD_CTX_FLAG_FINALISE);
  size_t len = static_cast<size_t>(EVP_PKEY_get_size(key.evp()));
  std::string signature(len, '\0');
  if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &len,
                     bytes(signing_input), signing_input.size()) != 1) {
    throw std::runtime_error("EVP_DigestSign failed");
  }
  signature.resize(len);
  if (key.type() == KeyType::EcP256) return der_to_raw(signature);
  return signature;
}

bool jws_verify(const PublicKey& key, Alg alg, std::string_view signing_input,
                std::string_view signature) {
  if (key.type() != key_type_for(alg)) return false;
  std::string der;
  if (alg == Alg::ES256) {
    der = raw_to_der(signature);
    if (der.empty()) return false;
    signature = der;
  } else if (signature.size() != static_cast<size_t>(EVP_PKEY_get_size(key.evp()))) {
    return false;  // RSA: exactly the modulus length (RFC 8017 §8.2.2); Ed25519: 64 bytes
  }
  EVP_MD_CTX* ctx = prepared_contexts.ready(Operation::Verify, key.type(), key.evp());
  EVP_MD_CTX_set_flags(ctx, EVP_MD_CTX_FLAG_FINALISE);
  const bool valid = EVP_DigestVerify(ctx, bytes(signature), signature.size(), bytes(signing_input),
                                      signing_input.size()) == 1;
  // A forged token must not leave entries in this thread's OpenSSL error queue.
  if (!valid) ERR_clear_error();
  return valid;
}

Status check_jws_header(const Jwt& jwt, std::span<const Alg> allowed) {
  const auto alg = parse_alg(jwt.header().alg());
  if (!alg || std::find(allowed.begin(), allowed.end(), *alg) == allowed.end()) {
    return Status::JwtAlgNotAllowed;
  }
  for (std::string_view member : kForbiddenHeaderMembers) {
    if (jwt.header().contains(member)) return Status::JwtHeaderForbiddenMember;
  }
  if (jwt.header().kid().empty()) return Status::JwtKidMissing;
  return Status::Ok;
}

Status verify_signature(const Jwt& jwt, const Jwks& jwks, std::span<const Alg> allowed) {
  if (const Status header = check_jws_header(jwt, allowed); header != Status::Ok) return header;
  const Alg alg = *parse_alg(jwt.header().alg());
  auto key = jwks.select(jwt.header().kid(), alg);
  if (!key) return key.error();
  if (!jws_verify((*key)->public_key(), alg, jwt.signing_input(), jwt.signature())) {
    return Status::JwtSignatureInvalid;
  }
  return Status::Ok;
}

}  // namespace keyward::jose
