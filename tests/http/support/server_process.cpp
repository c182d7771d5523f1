#include "tests/http/support/server_process.h"

#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>
#include <thread>

extern char** environ;

namespace keyward::test {

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
    : ListeningProcess(
          "keyward serve", {binary_path(binary), "serve"},
          [&](const std::filesystem::path& dir) { return child_environment(env, dir / "data"); },
          timeout) {}

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

CommandResult run_keyward(const std::vector<std::string>& args, const Env& env,
                          std::chrono::milliseconds timeout) {
  const TempDir dir("keyward-http");
  const auto log = dir.path() / "output.log";
  CommandResult result;
  std::vector<std::string> argv{KEYWARD_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t pid = spawn(argv, child_environment(env, dir.path() / "data"), log);
  auto status = wait_for(pid, timeout);
  if (!status) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  } else if (WIFEXITED(*status)) {
    result.exit_code = WEXITSTATUS(*status);
  }
  result.output = read_file(log);
  return result;
}

}  // namespace keyward::test
