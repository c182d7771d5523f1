#include "tests/http/support/server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace keyward::test {

namespace {

std::filesystem::path make_temp_dir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "keyward-http-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// fork/exec of `binary` with stdout and stderr into `log`.
pid_t spawn(std::string binary, const std::vector<std::string>& args,
            const std::vector<std::string>& env, const std::filesystem::path& log) {
  std::vector<char*> argv;
  argv.push_back(binary.data());
  std::vector<std::string> args_copy = args;
  for (auto& a : args_copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_copy = env;
  std::vector<char*> envp;
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
    // The test runner may have blocked signals; the server must start with a clean mask.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(argv[0], argv.data(), envp.data());
    const char msg[] = "exec of the keyward binary failed\n";
    [[maybe_unused]] auto ignored = ::write(STDERR_FILENO, msg, sizeof msg - 1);
    ::_exit(127);
  }
  ::close(fd);
  return pid;
}

// waitpid with a deadline; returns the status when the child exited.
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

}  // namespace

std::optional<std::string> test_database_url() {
  const char* url = std::getenv("KEYWARD_TEST_DATABASE_URL");
  if (url == nullptr || *url == '\0') return std::nullopt;
  return std::string(url);
}

std::string unreachable_database_url() {
  // Port 1 on loopback refuses at once; nothing is ever there.
  return "host=127.0.0.1 port=1 dbname=keyward user=keyward connect_timeout=2";
}

std::vector<std::string> child_environment(const Env& overrides,
                                           const std::filesystem::path& data_dir) {
  Env env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const size_t eq = entry.find('=');
    if (eq == std::string::npos) continue;
    const std::string name = entry.substr(0, eq);
    if (name.starts_with("KEYWARD_")) continue;
    env[name] = entry.substr(eq + 1);
  }
  env["KEYWARD_LISTEN"] = "127.0.0.1:0";
  env["KEYWARD_DATA_DIR"] = data_dir.string();
  env["KEYWARD_MIGRATIONS_DIR"] = std::string(KEYWARD_SOURCE_DIR) + "/migrations";
  env["KEYWARD_TEMPLATES_DIR"] = std::string(KEYWARD_SOURCE_DIR) + "/templates";
  env["KEYWARD_DATABASE_URL"] = test_database_url().value_or(unreachable_database_url());
  // One fixed test master key: every server on the shared test database must open the
  // signing keys the first one sealed (a per-process development key could not). A test
  // that wants the development-key path passes {"KEYWARD_MASTER_KEY", ""}.
  env["KEYWARD_MASTER_KEY"] = std::string(64, '7');
  for (const auto& [k, v] : overrides) {
    if (v.empty()) {
      env.erase(k);
    } else {
      env[k] = v;
    }
  }
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

std::string binary_path(Binary binary) {
  return binary == Binary::TestServer ? KEYWARD_TEST_SERVER_BINARY : KEYWARD_BINARY;
}

ServerProcess::ServerProcess(const Env& env, std::chrono::milliseconds timeout, Binary binary)
    : dir_(make_temp_dir()) {
  log_path_ = dir_ / "keyward.log";
  pid_ = spawn(binary_path(binary), {"serve"}, child_environment(env, dir_ / "data"), log_path_);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (port_ == 0) {
    for (const auto& line : log_lines()) {
      if (line.value("msg", "") != "listening") continue;
      const std::string address = line.value("address", "");
      port_ = static_cast<uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
    }
    if (port_ != 0) break;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("keyward serve exited before listening:\n" + output());
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      throw std::runtime_error("keyward serve did not listen in time:\n" + output());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string ServerProcess::output() const {
  return read_file(log_path_);
}

std::vector<nlohmann::json> ServerProcess::log_lines() const {
  std::vector<nlohmann::json> out;
  std::istringstream in(output());
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.front() != '{') continue;
    auto doc = nlohmann::json::parse(line, nullptr, false);
    if (!doc.is_discarded() && doc.is_object()) out.push_back(std::move(doc));
  }
  return out;
}

std::vector<nlohmann::json> ServerProcess::request_lines(const std::string& request_id,
                                                         std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::vector<nlohmann::json> out;
    for (auto& l : log_lines()) {
      if (l.value("msg", "") == "request" && l.value("request_id", "") == request_id)
        out.push_back(l);
    }
    if (!out.empty() || std::chrono::steady_clock::now() >= deadline) return out;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::optional<int> ServerProcess::stop(int signal, std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return std::nullopt;
  ::kill(pid_, signal);
  auto status = wait_for(pid_, timeout);
  if (!status) return std::nullopt;
  pid_ = -1;
  if (!WIFEXITED(*status)) return std::nullopt;
  return WEXITSTATUS(*status);
}

bool ServerProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

CommandResult run_keyward(const std::vector<std::string>& args, const Env& env,
                          std::chrono::milliseconds timeout) {
  const auto dir = make_temp_dir();
  const auto log = dir / "output.log";
  CommandResult result;
  const pid_t pid = spawn(KEYWARD_BINARY, args, child_environment(env, dir / "data"), log);
  auto status = wait_for(pid, timeout);
  if (!status) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  } else if (WIFEXITED(*status)) {
    result.exit_code = WEXITSTATUS(*status);
  }
  result.output = read_file(log);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return result;
}

}  // namespace keyward::test
