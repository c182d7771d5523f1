#pragma once
// `keyward idp ...`: the upstream OpenID providers users may sign in with ("Sign in with
// Google", issue 13). The client secret comes only from stdin (--client-secret-stdin), never
// from the command line, and is stored sealed under the master key; no command prints it.
// Running servers pick up a change within 30 s (federation/stored_provider_registry.h).
#include <iosfwd>
#include <string>
#include <vector>

#include "server/config.h"

namespace keyward::cli {

// `args` are the words after "idp". Returns the exit code: 0 done, 1 failed (the database,
// the upstream's discovery, a name taken, no such provider), 2 bad usage or configuration.
// Errors on stderr, prefixed "keyward idp <command>: ".
[[nodiscard]] int run_idp_command(const std::vector<std::string>& args,
                                  const server::EnvGetter& env, std::istream& in, std::ostream& out,
                                  std::ostream& err);

extern const char* const kIdpUsage;

}  // namespace keyward::cli
