#pragma once
// What black-box tests set up through keyward itself before they talk to it: clients made
// with `keyward client create`, users with a known password, and HTTP Basic client
// authentication (RFC 6749 §2.3.1).
#include <string>
#include <string_view>
#include <vector>

#include "storage/database.h"
#include "storage/user_repository.h"
#include "tests/http/support/server_process.h"

namespace keyward::test {

struct RegisteredClient {
  std::string id;
  std::string secret;  // empty for public clients
};

// `keyward client create --name <name> <args...>` with `env` (run_keyward's rules): the new
// client's id and secret. Throws std::runtime_error with the command's output when it fails.
[[nodiscard]] RegisteredClient create_client(const std::string& name,
                                             const std::vector<std::string>& args, const Env& env);

// The header line "Authorization: Basic <credentials>\r\n": id and secret form-urlencoded,
// joined by ':', then base64-encoded (RFC 6749 §2.3.1).
[[nodiscard]] std::string basic_authorization(std::string_view id, std::string_view secret);

// The password hashing the tests' servers run with (KEYWARD_ARGON2_MEMORY_KIB=7168,
// KEYWARD_ARGON2_ITERATIONS=5): cheap, and still what `keyward serve` verifies.
[[nodiscard]] std::string test_password_hash(std::string_view password);

// Inserts `user` with its password_hash set from `password`; returns the new user's id.
// Throws std::runtime_error with the storage error's message.
std::string insert_user(storage::Database& database, storage::NewUser user,
                        std::string_view password);

}  // namespace keyward::test
