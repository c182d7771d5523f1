#pragma once
// keyward-sample-rs in a child process (RAII: SIGKILL and reap in the destructor), started
// with the parent's environment minus every KEYWARD_* variable, plus `env`.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/http/support/server_process.h"

namespace keyward::test {

class RsProcess {
 public:
  explicit RsProcess(const Env& env, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  ~RsProcess();
  RsProcess(const RsProcess&) = delete;
  RsProcess& operator=(const RsProcess&) = delete;

  [[nodiscard]] uint16_t port() const { return port_; }
  [[nodiscard]] std::string output() const;
  [[nodiscard]] std::vector<nlohmann::json> log_lines() const;
  // Log lines with this msg.
  [[nodiscard]] std::vector<nlohmann::json> lines_with(const std::string& msg) const;

 private:
  std::filesystem::path dir_;
  std::filesystem::path log_path_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

// A loopback port that was free a moment ago (bind to 0, read, close).
[[nodiscard]] uint16_t free_port();

}  // namespace keyward::test
