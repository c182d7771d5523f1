#pragma once
// `keyward user ...`: end users for the password grant and browser sign-in (issue 4).
// Passwords come only from stdin (--password-stdin), never from the command line, where
// other local users could read them in the process list. Output is JSON on stdout and
// never contains the password hash.
#include <iosfwd>
#include <string>
#include <vector>

#include "server/config.h"

namespace keyward::cli {

// `args` are the words after "user".
[[nodiscard]] int run_user_command(const std::vector<std::string>& args,
                                   const server::EnvGetter& env, std::istream& in,
                                   std::ostream& out, std::ostream& err);

extern const char* const kUserUsage;

}  // namespace keyward::cli
