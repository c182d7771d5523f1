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

uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::runtime_error("bind failed");
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

RsProcess::RsProcess(const Env& env, std::chrono::milliseconds timeout)
    : ListeningProcess(
          "keyward-sample-rs", {KEYWARD_RS_BINARY},
          [&](const std::filesystem::path& dir) { return rs_environment(env, dir); }, timeout) {}

}  // namespace keyward::test
