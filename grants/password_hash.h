#pragma once
// Argon2id password hashing (RFC 9106) over libargon2. Hashes are stored in the
// PHC string format ($argon2id$v=19$m=...,t=...,p=...$salt$hash), which carries
// its parameters, so they can be raised later and old hashes rehashed on login.
#include <cstdint>
#include <string>
#include <string_view>

namespace keyward::grants {

struct Argon2Params {
  uint32_t memory_kib = 19456;  // 19 MiB: above 32 MiB glibc's mmap per hash costs 5x
  uint32_t iterations = 2;
  uint32_t parallelism = 1;
};

enum class PasswordCheck { Mismatch, Match, MatchNeedsRehash };

[[nodiscard]] std::string hash_password(std::string_view password, const Argon2Params& params);

// Verifies in time independent of where the mismatch is (libargon2 compares in
// constant time). An unparseable hash is a mismatch.
[[nodiscard]] PasswordCheck verify_password(std::string_view encoded, std::string_view password,
                                            const Argon2Params& current);

// A hash of a random password with the current parameters: verifying against it
// costs what verifying a real user's password costs, so an unknown username takes
// as long as a wrong password and does not reveal that the user does not exist.
[[nodiscard]] const std::string& dummy_password_hash(const Argon2Params& params);

}  // namespace keyward::grants
