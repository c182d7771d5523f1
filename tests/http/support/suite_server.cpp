#include "tests/http/support/suite_server.h"

#include <chrono>

#include "tests/http/support/http_client.h"

namespace keyward::test {

SuiteServer::SuiteServer(Env settings) : env_(std::move(settings)) {
  env_["KEYWARD_DATABASE_URL"] = database_.conninfo();
}

void SuiteServer::register_client(const std::string& key, const std::string& name,
                                  const std::vector<std::string>& args) {
  clients_[key] = create_client(name, args, env_);
}

void SuiteServer::start() {
  process_ = std::make_unique<ServerProcess>(env_);
  (void)poll(
      process_->port(), "/health/ready", [](const Response& r) { return r.status == 200; },
      std::chrono::seconds(15));
}

}  // namespace keyward::test
