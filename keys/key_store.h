#pragma once
// Signing keys at rest (DESIGN.md "Keys"): how a fresh key becomes a KeyRecord and
// how a stored one becomes a PrivateKey again. Shared by the KeyManager (first key, scheduled
// rotation) and `keyward keys rotate`, so both seal keys the same way.
//
// What the master key protects: the private half of every signing key is stored only as
// AES-256-GCM ciphertext under a key-encryption key derived from KEYWARD_MASTER_KEY, with the
// kid as associated data, so a ciphertext copied onto another row does not open either.
#include <chrono>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "jose/alg.h"
#include "jose/evp_key.h"
#include "storage/database.h"
#include "storage/records.h"

namespace keyward::keys {

// The NOTIFY channel on which every instance learns that the signing keys changed.
inline constexpr std::string_view kKeysChannel = "keyward_keys";

// HKDF-SHA-256(master key, "keyward signing-keys v1") (RFC 5869): the key that seals signing
// keys, never the master key itself, so no two purposes share a key.
[[nodiscard]] std::string key_encryption_key(std::string_view master_key);

// A fresh key for alg (RSA-2048 for RS256, P-256 for ES256, Ed25519 for EdDSA) in `state`: kid is
// the RFC 7638 thumbprint, public_jwk its public JWK (kid, alg, use "sig"), private_key_sealed
// aead::seal(kek, PKCS#8 DER, kid). The clear DER is wiped once sealed.
[[nodiscard]] storage::KeyRecord generate_key_record(std::string_view kek, jose::Alg alg,
                                                     storage::KeyState state, TimePoint now,
                                                     TimePoint activates_at);

// The private key of a stored record: opens the ciphertext with the kid as associated data,
// parses the PKCS#8 DER (wiped afterwards) and checks that it is the key public_jwk publishes.
// The error names the kid and the cause, never key material.
[[nodiscard]] Result<jose::PrivateKey, std::string> open_private_key(
    std::string_view kek, const storage::KeyRecord& record);

// A key that exists only because keyward keys rotate (or the schedule) created it, still
// waiting to sign.
struct RotationOutcome {
  bool created = false;    // false: a next key of this algorithm was already pending
  storage::KeyRecord key;  // the new key, or the pending one (private_key_sealed cleared)
  bool notified = false;   // NOTIFY sent; if not, instances see it at their periodic re-read
};

// Creates a next key for alg that activates at now + publication_delay, unless this master
// key does not open the active key (the error says so: the new key could never sign), or one
// of that algorithm is already pending (KeyRepository::insert_exclusive: instances rotating at once
// create one key), and NOTIFYs kKeysChannel so every instance publishes it within seconds.
[[nodiscard]] Result<RotationOutcome, std::string> rotate_signing_key(
    storage::Database& database, std::string_view kek, jose::Alg alg, TimePoint now,
    std::chrono::seconds publication_delay);

}  // namespace keyward::keys
