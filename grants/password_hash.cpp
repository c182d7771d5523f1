#include "grants/password_hash.h"

#include <argon2.h>

#include <cstdio>
#include <mutex>
#include <stdexcept>

#include "common/crypto.h"

namespace keyward::grants {
namespace {

constexpr uint32_t kSaltBytes = 16;
constexpr uint32_t kHashBytes = 32;

struct Parsed {
  uint32_t m = 0, t = 0, p = 0;
};

bool parse_params(std::string_view encoded, Parsed& out) {
  // $argon2id$v=19$m=19456,t=2,p=1$...
  std::string s(encoded);
  unsigned v = 0;
  return std::sscanf(s.c_str(), "$argon2id$v=%u$m=%u,t=%u,p=%u$", &v, &out.m, &out.t, &out.p) == 4;
}

}  // namespace

std::string hash_password(std::string_view password, const Argon2Params& params) {
  const std::string salt = random_bytes(kSaltBytes);
  const size_t len = argon2_encodedlen(params.iterations, params.memory_kib, params.parallelism,
                                       kSaltBytes, kHashBytes, Argon2_id);
  std::string encoded(len, '\0');
  const int rc = argon2id_hash_encoded(params.iterations, params.memory_kib, params.parallelism,
                                       password.data(), password.size(), salt.data(), salt.size(),
                                       kHashBytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) {
    throw std::runtime_error(std::string("argon2id hashing failed: ") + argon2_error_message(rc));
  }
  encoded.resize(encoded.find('\0'));
  return encoded;
}

PasswordCheck verify_password(std::string_view encoded, std::string_view password,
                              const Argon2Params& current) {
  Parsed parsed;
  if (!parse_params(encoded, parsed)) return PasswordCheck::Mismatch;
  const std::string z(encoded);  // argon2 wants a NUL-terminated string
  if (argon2id_verify(z.c_str(), password.data(), password.size()) != ARGON2_OK) {
    return PasswordCheck::Mismatch;
  }
  if (parsed.m < current.memory_kib || parsed.t < current.iterations ||
      parsed.p != current.parallelism) {
    return PasswordCheck::MatchNeedsRehash;
  }
  return PasswordCheck::Match;
}

const std::string& dummy_password_hash(const Argon2Params& params) {
  static std::mutex mu;
  static std::string hash;
  static Argon2Params made_with{0, 0, 0};
  std::lock_guard lock(mu);
  if (hash.empty() || made_with.memory_kib != params.memory_kib ||
      made_with.iterations != params.iterations || made_with.parallelism != params.parallelism) {
    hash = hash_password(random_token(), params);
    made_with = params;
  }
  return hash;
}

}  // namespace keyward::grants
