#include "tests/http/support/child_process.h"

#include <arpa/inet.h>
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

TempDir::TempDir(const std::string& prefix) {
  std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
            const std::filesystem::path& log) {
  std::vector<std::string> args_copy = argv;
  std::vector<char*> args;
  args.reserve(args_copy.size() + 1);
  for (auto& a : args_copy) args.push_back(a.data());
  args.push_back(nullptr);
  std::vector<std::string> env_copy = env;
  std::vector<char*> envp;
  envp.reserve(env_copy.size() + 1);
  for (auto& e : env_copy) envp.push_back(e.data());
  envp.push_back(nullptr);

  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + log.string());
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fd);
    throw std::runtime_error("fork failed");
  }
  if (pid == 0) {
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(args[0], args.data(), envp.data());
    const char msg[] = "exec of the test's binary failed\n";
    [[maybe_unused]] auto ignored = ::write(STDERR_FILENO, msg, sizeof msg - 1);
    ::_exit(127);
  }
  ::close(fd);
  return pid;
}

std::optional<int> wait_for(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0) return std::nullopt;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line.front() != '{') continue;
    auto doc = nlohmann::json::parse(line, nullptr, false);
    if (!doc.is_discarded() && doc.is_object()) out.push_back(std::move(doc));
  }
  return out;
}

ListeningProcess::ListeningProcess(const std::string& name, const std::vector<std::string>& argv,
                                   const Environment& environment,
                                   std::chrono::milliseconds timeout)
    : dir_("keyward-http"), log_path_(dir_.path() / "output.log") {
  pid_ = spawn(argv, environment(dir_.path()), log_path_);
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
      throw std::runtime_error(name + " exited before listening:\n" + output());
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      // The destructor does not run for a constructor that throws.
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
      throw std::runtime_error(name + " did not listen in time:\n" + output());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

ListeningProcess::~ListeningProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

std::string ListeningProcess::output() const {
  return read_file(log_path_);
}

std::vector<nlohmann::json> ListeningProcess::log_lines() const {
  return json_lines(output());
}

std::vector<nlohmann::json> ListeningProcess::lines_with(const std::string& msg) const {
  std::vector<nlohmann::json> out;
  for (auto& line : log_lines()) {
    if (line.value("msg", "") == msg) out.push_back(std::move(line));
  }
  return out;
}

std::optional<int> ListeningProcess::stop(int signal, std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return std::nullopt;
  ::kill(pid_, signal);
  auto status = wait_for(pid_, timeout);
  if (!status) return std::nullopt;
  pid_ = -1;
  if (!WIFEXITED(*status)) return std::nullopt;
  return WEXITSTATUS(*status);
}

bool ListeningProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

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

}  // namespace keyward::test
