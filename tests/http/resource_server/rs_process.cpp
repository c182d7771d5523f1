#include "tests/http/resource_server/rs_process.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace keyward::test {

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

RsProcess::RsProcess(const Env& env, std::chrono::milliseconds timeout) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "keyward-rs-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  log_path_ = dir_ / "rs.log";

  Env full = env;
  full.emplace("KEYWARD_RS_LISTEN", "127.0.0.1:0");
  full.emplace("KEYWARD_RS_MIGRATIONS_DIR",
               std::string(KEYWARD_SOURCE_DIR) + "/resource_server/migrations");
  std::vector<std::string> environment;
  for (const auto& e : child_environment({}, dir_)) {
    if (!e.starts_with("KEYWARD_")) environment.push_back(e);
  }
  for (const auto& [k, v] : full) environment.push_back(k + "=" + v);

  std::string binary = KEYWARD_RS_BINARY;
  std::vector<char*> argv{binary.data(), nullptr};
  std::vector<char*> envp;
  for (auto& e : environment) envp.push_back(e.data());
  envp.push_back(nullptr);
  const int fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + log_path_.string());
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(fd);

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (port_ == 0) {
    for (const auto& line : lines_with("listening")) {
      const std::string address = line.value("address", "");
      port_ = static_cast<uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
    }
    if (port_ != 0) break;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("keyward-sample-rs exited before listening:\n" + output());
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      throw std::runtime_error("keyward-sample-rs did not listen in time:\n" + output());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

RsProcess::~RsProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string RsProcess::output() const {
  std::ifstream in(log_path_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<nlohmann::json> RsProcess::log_lines() const {
  std::vector<nlohmann::json> out;
  std::istringstream in(output());
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object()) out.push_back(std::move(j));
  }
  return out;
}

std::vector<nlohmann::json> RsProcess::lines_with(const std::string& msg) const {
  std::vector<nlohmann::json> out;
  for (auto& j : log_lines()) {
    if (j.value("msg", "") == msg) out.push_back(std::move(j));
  }
  return out;
}

}  // namespace keyward::test
