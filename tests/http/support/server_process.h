#pragma once
// `keyward` (or the test-only keyward-test-server) in a child process, for black-box
// tests (tests/http/support/child_process.h launches it and cleans up after it).
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/http/support/child_process.h"

namespace keyward::test {

using Env = std::map<std::string, std::string>;

// KEYWARD_TEST_DATABASE_URL (set by scripts/test.sh), when there is one.
[[nodiscard]] std::optional<std::string> test_database_url();

// A conninfo nothing listens on: serve starts (it connects lazily) and is not ready.
[[nodiscard]] std::string unreachable_database_url();

// The environment a child gets: the parent's without any KEYWARD_* variable, then
// KEYWARD_LISTEN=127.0.0.1:0, KEYWARD_DATA_DIR=<data_dir>, the source tree's migrations
// and templates, and a database URL (the test database, else an unreachable one), then
// `overrides` (an empty value removes a variable).
[[nodiscard]] std::vector<std::string> child_environment(const Env& overrides,
                                                         const std::filesystem::path& data_dir);

// Which executable a test runs: the shipped keyward, or keyward-test-server (the same
// server plus the /__test/ routes of tests/http/support/test_routes.h).
enum class Binary { Keyward, TestServer };

// The path of that executable in the build tree.
[[nodiscard]] std::string binary_path(Binary binary);

class ServerProcess : public ListeningProcess {
 public:
  // Starts `<binary> serve` and waits (at most `timeout`) for its
  // {"msg":"listening","address":"127.0.0.1:PORT"} line. Throws std::runtime_error with
  // the child's output when it exits or does not listen in time.
  explicit ServerProcess(const Env& env = {},
                         std::chrono::milliseconds timeout = std::chrono::seconds(20),
                         Binary binary = Binary::Keyward);

  // Log lines with msg == "request" and this request id; waits up to `timeout` for at
  // least one (the line is written just before the response leaves).
  [[nodiscard]] std::vector<nlohmann::json> request_lines(
      const std::string& request_id,
      std::chrono::milliseconds timeout = std::chrono::seconds(2)) const;
};

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs `keyward <args>` to completion (at most `timeout`, then SIGKILL) with the same
// environment rules as ServerProcess.
[[nodiscard]] CommandResult run_keyward(
    const std::vector<std::string>& args, const Env& env = {},
    std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace keyward::test
