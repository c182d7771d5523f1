#pragma once
// GET /jwks: the JWK Set (RFC 7517 §5) that discovery names as jwks_uri.
#include <chrono>
#include <memory>
#include <string>

#include "http/router.h"
#include "keys/key_manager.h"

namespace keyward::server {

inline constexpr std::string_view kJwksPath = "/jwks";

// How long verifiers may cache the JWKS: shorter than the publication delay, so a cache
// fetched just before a rotation still learns the next key before it signs (at most 300 s,
// at most half the delay).
[[nodiscard]] std::chrono::seconds jwks_max_age(std::chrono::seconds publication_delay);

// The pre-serialised set from the key manager's snapshot, on the reactor (no database):
// public members only, each key with kid, alg and use "sig"; Content-Type
// application/jwk-set+json (RFC 7517 §8.5.1); Cache-Control: public, max-age=<max_age>;
// Access-Control-Allow-Origin: * (public data, fetched by browser-based clients too). 503
// temporarily_unavailable until the first keys are loaded.
void add_jwks_route(http::Router& router, std::shared_ptr<const keys::KeyManager> keys,
                    std::chrono::seconds max_age);

}  // namespace keyward::server
