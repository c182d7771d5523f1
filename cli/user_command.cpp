#include "cli/user_command.h"

#include "common/text.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <istream>
#include <iterator>
#include <ostream>

#include "cli/client_command.h"
#include "cli/command_events.h"
#include "common/clock.h"
#include "operations/user_operations.h"

namespace keyward::cli {

const char* const kUserUsage =
    "usage: keyward user <command>\n"
    "\n"
    "  create --username U [--email E] [--given-name G] [--family-name F] --password-stdin\n"
    "      creates a user (usernames are case-insensitive and stored lower-cased) and\n"
    "      prints it as JSON; `id` is its OpenID Connect `sub`\n"
    "  list                             prints every user as JSON\n"
    "  show U                           prints one user as JSON\n"
    "  disable U                        the user gets no more tokens and cannot sign in\n"
    "  enable U                         undoes disable (revoked tokens stay revoked)\n"
    "  set-password U --password-stdin  replaces the password\n"
    "  revoke U                         ends the user's access: revokes every grant (so\n"
    "                                   every access and refresh token, offline_access\n"
    "                                   ones too) and deletes every browser session of the\n"
    "                                   user\n"
    "  verify-email U                   marks the user's e-mail address verified (fails\n"
    "                                   when the user has none)\n"
    "  sessions U                       prints the user's live browser sessions as JSON:\n"
    "                                   created_at, last_seen_at, ip_address, user_agent\n"
    "                                   (never an id; end them with revoke)\n"
    "\n"
    "disable and set-password also do what revoke does, in the same transaction; all three\n"
    "print the user with \"revoked\": {\"grants\": N, \"sessions\": M}.\n"
    "\n"
    "--password-stdin reads the password from standard input (one trailing newline is\n"
    "dropped): 8 to 1024 bytes. Passwords are never accepted as arguments, which other\n"
    "local users could read in the process list. Output never contains password hashes.\n"
    "Settings come from KEYWARD_DATABASE_URL and KEYWARD_ARGON2_* (docs/configuration.md).\n";

namespace {

using nlohmann::ordered_json;

constexpr size_t kMinPassword = operations::kMinOperatorPassword;
constexpr size_t kMaxPassword = operations::kMaxOperatorPassword;

ordered_json describe(const storage::UserRecord& u) {
  return operations::describe_user(u);
}

Result<std::string, std::string> read_password(std::istream& in) {
  std::string password = read_stdin_value(in);
  if (password.size() < kMinPassword) {
    return err("the password from stdin must be at least " + std::to_string(kMinPassword) +
               " bytes");
  }
  if (password.size() > kMaxPassword) {
    return err("the password from stdin is longer than " + std::to_string(kMaxPassword) + " bytes");
  }
  return password;
}

operations::UserOperations user_operations(const server::Config& config,
                                           storage::Database& database) {
  return operations::UserOperations(
      database,
      grants::Argon2Params{config.argon2_memory_kib, config.argon2_iterations,
                           config.argon2_parallelism},
      config.session_idle_timeout, command_events(config, database), operations::Actor::cli());
}

int create(const std::vector<std::string>& words, const server::EnvGetter& env, std::istream& in,
           std::ostream& out, std::ostream& err) {
  constexpr std::string_view kName = "user create";
  auto args = parse_command_args(
      words, {{"username"}, {"email"}, {"given-name"}, {"family-name"}, {"password-stdin", false}});
  if (!args.ok()) {
    err << "keyward " << kName << ": " << args.error() << "\n";
    return kExitUsage;
  }
  if (!args->positional.empty()) {
    err << "keyward " << kName << ": unexpected argument '" << args->positional.front() << "'\n";
    return kExitUsage;
  }
  if (!args->has("username")) {
    err << "keyward " << kName << ": --username is required\n";
    return kExitUsage;
  }
  if (!args->has("password-stdin")) {
    err << "keyward " << kName
        << ": --password-stdin is required (the password is read from standard input)\n";
    return kExitUsage;
  }
  operations::NewUserInput user;
  user.username = *args->single("username");
  user.email = args->single("email");
  user.given_name = args->single("given-name");
  user.family_name = args->single("family-name");
  if (auto problem = operations::new_user_problem(user)) {
    err << "keyward " << kName << ": " << problem->message << "\n";
    return kExitUsage;
  }
  auto password = read_password(in);
  if (!password.ok()) {
    err << "keyward " << kName << ": " << password.error() << "\n";
    return kExitUsage;
  }
  auto context = open_context(kName, env, err);
  if (!context) return kExitUsage;
  auto created = user_operations(context->config, context->database).create(user, *password);
  if (!created.ok()) return report_operation_error(err, kName, created.error());
  out << describe(created.value()).dump(2) << "\n";
  return 0;
}

}  // namespace

int run_user_command(const std::vector<std::string>& args, const server::EnvGetter& env,
                     std::istream& in, std::ostream& out, std::ostream& err) {
  if (args.empty()) {
    err << kUserUsage;
    return kExitUsage;
  }
  const std::string& sub = args.front();
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (sub == "help" || sub == "--help" || sub == "-h") {
    out << kUserUsage;
    return 0;
  }
  if (sub == "create") return create(rest, env, in, out, err);

  const bool needs_name = sub == "show" || sub == "disable" || sub == "enable" ||
                          sub == "set-password" || sub == "revoke" || sub == "verify-email" ||
                          sub == "sessions";
  if (!needs_name && sub != "list") {
    err << "keyward user: unknown command '" << sub << "'\n" << kUserUsage;
    return kExitUsage;
  }
  const std::string name = "user " + sub;
  std::vector<OptionSpec> specs;
  if (sub == "set-password") specs.push_back({"password-stdin", false});
  auto parsed = parse_subcommand(err, name, rest, specs, needs_name ? "user" : "",
                                 sub == "set-password" ? "USERNAME --password-stdin" : "USERNAME");
  if (!parsed.ok()) return parsed.error();
  std::optional<std::string> password;
  if (sub == "set-password") {
    if (!parsed->has("password-stdin")) {
      err << "keyward " << name
          << ": --password-stdin is required (the password is read from standard input)\n";
      return kExitUsage;
    }
    auto read = read_password(in);
    if (!read.ok()) {
      err << "keyward " << name << ": " << read.error() << "\n";
      return kExitUsage;
    }
    password = std::move(read).value();
  }

  auto context = open_context(name, env, err);
  if (!context) return kExitUsage;
  auto users = user_operations(context->config, context->database);
  if (sub == "list") {
    auto listed = users.list();
    if (!listed.ok()) return report_operation_error(err, name, listed.error());
    auto rows = ordered_json::array();
    for (const auto& u : *listed) rows.push_back(describe(u));
    out << rows.dump(2) << "\n";
    return 0;
  }
  const auto user = operations::UserRef::username(parsed->positional.front());
  const TimePoint now = SystemClock().now();
  if (sub == "show" || sub == "verify-email") {
    auto found = sub == "show" ? users.show(user) : users.verify_email(user);
    if (!found.ok()) return report_operation_error(err, name, found.error());
    out << describe(*found).dump(2) << "\n";
    return 0;
  }
  // `user sessions`: what the account page lists, for an operator answering "where am I
  // signed in?". The session ids are never printed (their digests would not help anyone
  // and the ids are bearer secrets).
  if (sub == "sessions") {
    auto sessions = users.sessions(user, now);
    if (!sessions.ok()) return report_operation_error(err, name, sessions.error());
    auto rows = ordered_json::array();
    for (const auto& s : *sessions) rows.push_back(operations::describe_session(s));
    out << rows.dump(2) << "\n";
    return 0;
  }
  // Revocation happens in the same transaction as the change.
  Result<operations::UserWithRevocation, operations::OperationError> changed =
      keyward::err(operations::OperationError{});
  if (sub == "disable" || sub == "enable") {
    changed = users.set_disabled(user, sub == "disable", now);
  } else if (sub == "set-password") {
    changed = users.set_password(user, *password, now);
  } else {
    changed = users.revoke(user, now);
  }
  if (!changed.ok()) return report_operation_error(err, name, changed.error());
  ordered_json j = describe(changed->user);
  if (changed->revoked) j["revoked"] = operations::describe_revocation(*changed->revoked);
  out << j.dump(2) << "\n";
  return 0;
}

}  // namespace keyward::cli
