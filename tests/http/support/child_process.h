#pragma once
// One launcher for the binaries black-box tests run (keyward, keyward-test-server,
// keyward-sample-rs): fork/exec with stdout and stderr into a log file in a temporary
// folder of the child's own, and the wait for its {"msg":"listening","address":...} line.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace keyward::test {

// A fresh folder under the temporary directory, removed with everything in it on
// destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// fork/exec of `argv` (argv[0] is the executable's path) with exactly `env`, stdout and
// stderr into `log`, and an empty signal mask (the test runner may have blocked some).
[[nodiscard]] pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                          const std::filesystem::path& log);

// waitpid with a deadline; the status when the child exited in time.
[[nodiscard]] std::optional<int> wait_for(pid_t pid, std::chrono::milliseconds timeout);

// The whole content of a file (empty when it cannot be read).
[[nodiscard]] std::string read_file(const std::filesystem::path& path);

// The lines of `text` that are JSON objects.
[[nodiscard]] std::vector<nlohmann::json> json_lines(const std::string& text);

// A long-running child that logs JSON lines and announces its port with
// {"msg":"listening","address":"127.0.0.1:PORT"}. RAII: the destructor kills it (SIGKILL)
// and reaps it if it still runs, and removes its temporary folder.
class ListeningProcess {
 public:
  // Builds the child's environment from its temporary folder.
  using Environment = std::function<std::vector<std::string>(const std::filesystem::path& dir)>;

  // Starts `argv` and waits (at most `timeout`) for the listening line. Throws
  // std::runtime_error naming `name`, with the child's output, when it exits or does not
  // listen in time.
  ListeningProcess(const std::string& name, const std::vector<std::string>& argv,
                   const Environment& environment, std::chrono::milliseconds timeout);
  ~ListeningProcess();
  ListeningProcess(const ListeningProcess&) = delete;
  ListeningProcess& operator=(const ListeningProcess&) = delete;

  [[nodiscard]] uint16_t port() const { return port_; }
  [[nodiscard]] pid_t pid() const { return pid_; }

  // Everything the child wrote to stdout and stderr so far.
  [[nodiscard]] std::string output() const;
  // The lines of output() that are JSON objects.
  [[nodiscard]] std::vector<nlohmann::json> log_lines() const;
  // The log lines with this msg.
  [[nodiscard]] std::vector<nlohmann::json> lines_with(const std::string& msg) const;

  // Sends `signal` and waits (at most `timeout`) for the exit; returns the exit code, or
  // nullopt when it did not exit in time or died from a signal.
  std::optional<int> stop(int signal, std::chrono::milliseconds timeout);
  [[nodiscard]] bool running();

 private:
  TempDir dir_;
  std::filesystem::path log_path_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

// A loopback port that was free a moment ago (bind to 0, read, close).
[[nodiscard]] uint16_t free_port();

}  // namespace keyward::test
