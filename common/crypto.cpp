#include "common/crypto.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <memory>
#include <stdexcept>

#include "common/base64url.h"

namespace keyward {

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return out;
}

std::string random_token(size_t bytes) {
  return base64url_encode(random_bytes(bytes));
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

namespace {

// OpenSSL 3 looks an algorithm up by name (under a lock) whenever it is given one implicitly
// (EVP_sha256(), HMAC()): fetched once here instead.
const EVP_MD* sha256_md() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

struct MacCtxFree {
  void operator()(EVP_MAC_CTX* ctx) const noexcept { EVP_MAC_CTX_free(ctx); }
};
using UniqueMacCtx = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;

UniqueMacCtx keyed_hmac(std::string_view key) {
  static EVP_MAC* const hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  UniqueMacCtx ctx(hmac == nullptr ? nullptr : EVP_MAC_CTX_new(hmac));
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_END};
  // A null key pointer would mean "keep the previous key"; an empty key is a key too.
  static constexpr unsigned char kNoBytes = 0;
  const auto* bytes = key.empty() ? &kNoBytes : reinterpret_cast<const unsigned char*>(key.data());
  if (!ctx || EVP_MAC_init(ctx.get(), bytes, key.size(), params) != 1) {
    throw std::runtime_error("HMAC-SHA-256 failed");
  }
  return ctx;
}

// HMAC() fetches HMAC and SHA-256 by name and hashes the key pads on every call. Every client
// authentication MACs with one key (grants/client_secret.h), so each thread keeps the keyed
// contexts of the keys it used last and copies one per message. Least recently used first
// out: the hot key stays while per-session keys (CSRF) pass through the other slots.
class KeyedHmacs {
 public:
  const EVP_MAC_CTX* for_key(std::string_view key) {
    ++clock_;
    Entry* oldest = &entries_[0];
    for (auto& e : entries_) {
      // Keys are secrets (the client-secret key, CSRF and pre-login secrets): compared in
      // constant time, as every secret is.
      if (e.ctx && e.key.size() == key.size() &&
          CRYPTO_memcmp(e.key.data(), key.data(), key.size()) == 0) {
        e.used = clock_;
        return e.ctx.get();
      }
      if (e.used < oldest->used) oldest = &e;
    }
    UniqueMacCtx ctx = keyed_hmac(key);
    OPENSSL_cleanse(oldest->key.data(), oldest->key.size());
    oldest->key.assign(key);
    oldest->ctx = std::move(ctx);
    oldest->used = clock_;
    return oldest->ctx.get();
  }

 private:
  struct Entry {
    Entry() = default;
    Entry(const Entry&) = delete;
    Entry& operator=(const Entry&) = delete;
    // The key bytes do not outlive the thread in freed memory.
    ~Entry() { OPENSSL_cleanse(key.data(), key.size()); }
    std::string key;
    UniqueMacCtx ctx;
    uint64_t used = 0;
  };
  std::array<Entry, 4> entries_;
  uint64_t clock_ = 0;
};

thread_local KeyedHmacs keyed_hmacs;

}  // namespace

std::string sha256(std::string_view data) {
  std::string out(32, '\0');
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &len,
                 sha256_md(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  UniqueMacCtx ctx(EVP_MAC_CTX_dup(keyed_hmacs.for_key(key)));
  std::string out(32, '\0');
  size_t len = 0;
  if (!ctx ||
      EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) !=
          1 ||
      EVP_MAC_final(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, out.size()) !=
          1 ||
      len != out.size()) {
    throw std::runtime_error("HMAC-SHA-256 failed");
  }
  return out;
}

std::string hkdf_sha256(std::string_view key, std::string_view info, size_t length) {
  std::string out(length, '\0');
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr);
  if (ctx == nullptr) throw std::runtime_error("HKDF unavailable");
  size_t out_len = length;
  const bool ok =
      EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_CTX_set_hkdf_md(ctx, EVP_sha256()) == 1 &&
      EVP_PKEY_CTX_set1_hkdf_key(ctx, reinterpret_cast<const unsigned char*>(key.data()),
                                 static_cast<int>(key.size())) == 1 &&
      EVP_PKEY_CTX_add1_hkdf_info(ctx, reinterpret_cast<const unsigned char*>(info.data()),
                                  static_cast<int>(info.size())) == 1 &&
      EVP_PKEY_derive(ctx, reinterpret_cast<unsigned char*>(out.data()), &out_len) == 1;
  EVP_PKEY_CTX_free(ctx);
  if (!ok || out_len != length) throw std::runtime_error("HKDF failed");
  return out;
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

}  // namespace keyward
