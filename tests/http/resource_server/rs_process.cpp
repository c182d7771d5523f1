#include "tests/http/resource_server/rs_process.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace keyward::test {
namespace {

std::vector<std::string> rs_environment(const Env& env, const std::filesystem::path& dir) {
  Env full = env;
  full.emplace("KEYWARD_RS_LISTEN", "127.0.0.1:0");
  full.emplace("KEYWARD_RS_MIGRATIONS_DIR",
               std::string(KEYWARD_SOURCE_DIR) + "/resource_server/migrations");
  std::vector<std::string> environment;
  for (const auto& e : child_environment({}, dir)) {
    if (!e.starts_with("KEYWARD_")) environment.push_back(e);
  }
  for (const auto& [k, v] : full) environment.push_back(k + "=" + v);
  return environment;
}

}  // namespace

RsProcess::RsProcess(const Env& env, std::chrono::milliseconds timeout)
    : ListeningProcess(
          "keyward-sample-rs", {KEYWARD_RS_BINARY},
          [&](const std::filesystem::path& dir) { return rs_environment(env, dir); }, timeout) {}

}  // namespace keyward::test
