#pragma once
// Runs the real `keyward` binary as an operator would, with a given stdin, and stdout and
// stderr kept apart (ServerProcess's run_keyward mixes them and gives no stdin): for the
// CLI tests, which check exactly what each stream says.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/http/support/server_process.h"

namespace keyward::test {

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
  [[nodiscard]] nlohmann::json json_out() const { return nlohmann::json::parse(out); }
};

// `keyward <args>` to completion, `input` on its stdin, with the environment rules of
// child_environment (server_process.h) and `env` on top.
[[nodiscard]] CliRun run_cli(const std::vector<std::string>& args, const Env& env,
                             const std::string& input = {});

}  // namespace keyward::test
