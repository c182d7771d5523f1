#pragma once
// `keyward keys …`: the operator's view of the signing keys (issue 3).
//   keyward keys list [--json]
//       kid, alg, state, created, activates, retires (and when a retired key is deleted)
//   keyward keys rotate [--alg RS256|ES256|EdDSA]
//       a next key, published at once and signing after KEYWARD_KEY_PUBLICATION_DELAY;
//       every running instance learns of it through NOTIFY keyward_keys.
#include <span>
#include <string_view>

#include "server/config.h"

namespace keyward::cli {

inline constexpr std::string_view kKeysUsage =
    "usage: keyward keys list [--json]\n"
    "       keyward keys rotate [--alg RS256|ES256|EdDSA]\n";

// args are what follows `keys`. Returns the exit code: 0 done, 1 failed (the database, the
// master key, a next key already pending), 2 bad usage or configuration. Output on stdout,
// errors on stderr, prefixed "keyward keys: ".
[[nodiscard]] int run_keys_command(const server::Config& config,
                                   std::span<const std::string_view> args);

}  // namespace keyward::cli
