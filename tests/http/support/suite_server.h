#pragma once
// One `keyward serve` on a database of its own, shared by every test of a suite: the
// suite's SetUpTestSuite makes it, seeds it (clients, users) and starts it, and its
// TearDownTestSuite deletes it.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/http/support/clients.h"
#include "tests/http/support/server_process.h"
#include "tests/integration/support/test_database.h"

namespace keyward::test {

class SuiteServer {
 public:
  // A fresh TestDatabase, and `settings` plus its KEYWARD_DATABASE_URL as the environment.
  explicit SuiteServer(Env settings);

  [[nodiscard]] TestDatabase& database() { return database_; }
  [[nodiscard]] const Env& env() const { return env_; }

  // `keyward client create --name <name> <args...>`, remembered under `key`.
  void register_client(const std::string& key, const std::string& name,
                       const std::vector<std::string>& args);
  [[nodiscard]] const RegisteredClient& client(const std::string& key) const {
    return clients_.at(key);
  }

  // Starts the server and waits (at most 15 s) for /health/ready to answer 200: once the
  // first signing key exists.
  void start();
  [[nodiscard]] ServerProcess& process() { return *process_; }
  [[nodiscard]] uint16_t port() const { return process_->port(); }

 private:
  TestDatabase database_;
  Env env_;
  std::map<std::string, RegisteredClient> clients_;
  std::unique_ptr<ServerProcess> process_;
};

}  // namespace keyward::test
