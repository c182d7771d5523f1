#pragma once
// `keyward registration-token ...`: the initial access tokens that let a deployment
// pipeline or an admin tool register clients at POST /register (RFC 7591 §3,
// KEYWARD_DCR=token; docs/registration.md).
#include <ostream>
#include <string>
#include <vector>

#include "server/config.h"

namespace keyward::cli {

extern const char* const kRegistrationTokenUsage;

// Exit code: 0 done, 1 the operation failed (database, no such token), 2 bad usage or
// configuration.
[[nodiscard]] int run_registration_token_command(const std::vector<std::string>& args,
                                                 const server::EnvGetter& env, std::ostream& out,
                                                 std::ostream& err);

}  // namespace keyward::cli
