#include "common/aead.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <climits>
#include <memory>
#include <stdexcept>

#include "common/crypto.h"

namespace keyward::aead {
namespace {

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const noexcept { EVP_CIPHER_CTX_free(ctx); }
};
using UniqueCipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

unsigned char* bytes(std::string& s) {
  return reinterpret_cast<unsigned char*>(s.data());
}

void check_sizes(std::string_view key, std::string_view data, std::string_view associated_data) {
  if (key.size() != kKeySize) throw std::invalid_argument("AES-256-GCM key must be 32 bytes");
  if (data.size() > INT_MAX - kOverhead || associated_data.size() > INT_MAX) {
    throw std::invalid_argument("AES-256-GCM input too large");
  }
}

}  // namespace

std::string seal(std::string_view key, std::string_view plaintext,
                 std::string_view associated_data) {
  check_sizes(key, plaintext, associated_data);
  std::string out = random_bytes(kNonceSize);
  out.resize(kNonceSize + plaintext.size() + kTagSize);
  unsigned char* ciphertext = bytes(out) + kNonceSize;

  UniqueCipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key), bytes(out)) != 1 ||
      (!associated_data.empty() &&
       EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(associated_data),
                         static_cast<int>(associated_data.size())) != 1) ||
      (!plaintext.empty() && EVP_EncryptUpdate(ctx.get(), ciphertext, &len, bytes(plaintext),
                                               static_cast<int>(plaintext.size())) != 1) ||
      EVP_EncryptFinal_ex(ctx.get(), ciphertext + plaintext.size(), &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize,
                          ciphertext + plaintext.size()) != 1) {
    throw std::runtime_error("AES-256-GCM encryption failed");
  }
  return out;
}

std::optional<std::string> open(std::string_view key, std::string_view sealed,
                                std::string_view associated_data) {
  check_sizes(key, {}, associated_data);
  if (sealed.size() < kOverhead || sealed.size() > INT_MAX) return std::nullopt;
  const std::string_view nonce = sealed.substr(0, kNonceSize);
  const std::string_view ciphertext = sealed.substr(kNonceSize, sealed.size() - kOverhead);
  std::string tag(sealed.substr(sealed.size() - kTagSize));  // the ctrl takes a mutable pointer

  std::string plaintext(ciphertext.size(), '\0');
  UniqueCipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) throw std::runtime_error("EVP_CIPHER_CTX_new failed");
  int len = 0;
  const bool ok =
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key), bytes(nonce)) == 1 &&
      (associated_data.empty() ||
       EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(associated_data),
                         static_cast<int>(associated_data.size())) == 1) &&
      (ciphertext.empty() || EVP_DecryptUpdate(ctx.get(), bytes(plaintext), &len, bytes(ciphertext),
                                               static_cast<int>(ciphertext.size())) == 1) &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag.data()) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), bytes(plaintext) + plaintext.size(), &len) == 1;
  if (!ok) {
    // Unauthenticated plaintext must not linger in memory.
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    ERR_clear_error();
    return std::nullopt;
  }
  return plaintext;
}

}  // namespace keyward::aead
