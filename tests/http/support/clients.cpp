#include "tests/http/support/clients.h"

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "grants/password_hash.h"
#include "http/form.h"
#include "tests/support/encoding.h"

namespace keyward::test {

RegisteredClient create_client(const std::string& name, const std::vector<std::string>& args,
                               const Env& env) {
  std::vector<std::string> command = {"client", "create", "--name", name};
  command.insert(command.end(), args.begin(), args.end());
  const auto r = run_keyward(command, env);
  if (r.exit_code != 0) throw std::runtime_error("client create " + name + ": " + r.output);
  // stdout's JSON object, with stderr's notes (no braces) around it.
  const size_t open = r.output.find('{');
  const size_t close = r.output.rfind('}');
  const auto doc = nlohmann::json::parse(r.output.substr(open, close - open + 1));
  return RegisteredClient{doc["client_id"], doc.value("client_secret", "")};
}

std::string basic_authorization(std::string_view id, std::string_view secret) {
  return "Authorization: Basic " +
         base64(http::form_urlencode(id) + ":" + http::form_urlencode(secret)) + "\r\n";
}

std::string test_password_hash(std::string_view password) {
  return grants::hash_password(password, grants::Argon2Params{7168, 5, 1});
}

std::string insert_user(storage::Database& database, storage::NewUser user,
                        std::string_view password) {
  user.password_hash = test_password_hash(password);
  storage::UserRepository users(database);
  auto inserted = users.insert(user);
  if (!inserted.ok()) throw std::runtime_error(inserted.error().message);
  return inserted->id;
}

}  // namespace keyward::test
