#include "cli/user_command.h"

#include "common/text.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <istream>
#include <iterator>
#include <ostream>

#include "cli/client_command.h"
#include "common/clock.h"
#include "grants/password_hash.h"
#include "storage/account_repository.h"
#include "storage/user_repository.h"

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

constexpr size_t kMinPassword = 8;  // NIST SP 800-63B §5.1.1.2
constexpr size_t kMaxPassword = 1024;
constexpr size_t kMaxUsername = 255;
constexpr size_t kMaxName = 200;

ordered_json describe(const storage::UserRecord& u) {
  ordered_json j;
  j["id"] = u.id;
  j["username"] = u.username;
  j["email"] = u.email ? ordered_json(*u.email) : ordered_json(nullptr);
  j["email_verified"] = u.email_verified;
  j["given_name"] = u.given_name ? ordered_json(*u.given_name) : ordered_json(nullptr);
  j["family_name"] = u.family_name ? ordered_json(*u.family_name) : ordered_json(nullptr);
  j["disabled"] = u.disabled;
  j["created_at"] = unix_seconds(u.created_at);
  j["updated_at"] = unix_seconds(u.updated_at);
  return j;
}

std::optional<std::string> username_problem(std::string_view username) {
  if (username.empty()) return "the username cannot be empty";
  if (username.size() > kMaxUsername) {
    return "the username is longer than " + std::to_string(kMaxUsername) + " bytes";
  }
  if (has_space_or_control(username)) return "the username contains spaces or control characters";
  return std::nullopt;
}

std::optional<std::string> email_problem(std::string_view email) {
  const size_t at = email.find('@');
  if (email.size() < 3 || email.size() > 320 || at == std::string_view::npos || at == 0 ||
      at + 1 == email.size() || email.find('@', at + 1) != std::string_view::npos ||
      has_space_or_control(email)) {
    return "'" + std::string(email) + "' is not an email address (local@domain, at most 320 bytes)";
  }
  return std::nullopt;
}

std::optional<std::string> name_problem(std::string_view what, std::string_view name) {
  if (name.empty()) return std::string(what) + " cannot be empty (leave the option out)";
  if (name.size() > kMaxName) {
    return std::string(what) + " is longer than " + std::to_string(kMaxName) + " bytes";
  }
  if (has_control(name)) return std::string(what) + " contains control characters";
  return std::nullopt;
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

grants::Argon2Params argon2(const server::Config& config) {
  return grants::Argon2Params{config.argon2_memory_kib, config.argon2_iterations,
                              config.argon2_parallelism};
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
  storage::NewUser user;
  user.username = *args->single("username");
  user.email = args->single("email");
  user.given_name = args->single("given-name");
  user.family_name = args->single("family-name");
  std::optional<std::string> problem = username_problem(user.username);
  if (!problem && user.email) problem = email_problem(*user.email);
  if (!problem && user.given_name) problem = name_problem("the given name", *user.given_name);
  if (!problem && user.family_name) problem = name_problem("the family name", *user.family_name);
  if (problem) {
    err << "keyward " << kName << ": " << *problem << "\n";
    return kExitUsage;
  }
  auto password = read_password(in);
  if (!password.ok()) {
    err << "keyward " << kName << ": " << password.error() << "\n";
    return kExitUsage;
  }

  auto context = open_context(kName, env, err);
  if (!context) return kExitUsage;
  user.password_hash = grants::hash_password(*password, argon2(context->config));
  storage::UserRepository users(context->database);
  auto inserted = users.insert(user);
  if (!inserted.ok()) {
    const auto& e = inserted.error();
    if (e.code == storage::StorageErrorCode::UniqueViolation &&
        e.constraint == storage::kUsernameTaken) {
      err << "keyward " << kName << ": the username '" << user.username
          << "' is taken (usernames are case-insensitive)\n";
      return kExitFailed;
    }
    print_storage_error(err, kName, e);
    return kExitFailed;
  }
  out << describe(inserted.value()).dump(2) << "\n";
  return 0;
}

// `user verify-email`: the operator vouches for the address (a user who cannot receive
// the link, an address checked another way).
int verify_email(storage::Database& database, const std::string& username, std::ostream& out,
                 std::ostream& err) {
  constexpr std::string_view kName = "user verify-email";
  storage::AccountRepository accounts(database);
  auto marked = accounts.mark_email_verified(username);
  if (!marked.ok()) {
    print_storage_error(err, kName, marked.error());
    return kExitFailed;
  }
  if (*marked == storage::EmailVerificationMark::NoSuchUser) {
    err << "keyward " << kName << ": no user '" << username << "'\n";
    return kExitFailed;
  }
  if (*marked == storage::EmailVerificationMark::NoEmail) {
    err << "keyward " << kName << ": the user '" << username
        << "' has no e-mail address to verify (set one on the account page)\n";
    return kExitFailed;
  }
  storage::UserRepository users(database);
  auto found = users.find_by_username(username);
  if (auto failed = missing_or_failed(err, kName, "user", username, found)) return *failed;
  out << describe(**found).dump(2) << "\n";
  return 0;
}

// `user sessions`: what the account page lists, for an operator answering "where am I
// signed in?". The session ids are never printed (their digests would not help anyone
// and the ids are bearer secrets).
int print_sessions(storage::Database& database, const std::string& username,
                   const server::Config& config, TimePoint now, std::ostream& out,
                   std::ostream& err) {
  constexpr std::string_view kName = "user sessions";
  storage::UserRepository users(database);
  auto found = users.find_by_username(username);
  if (auto failed = missing_or_failed(err, kName, "user", username, found)) return *failed;
  storage::AccountRepository accounts(database);
  auto sessions = accounts.sessions((*found)->id, now, config.session_idle_timeout);
  return print_list(out, err, kName, sessions, [](const storage::UserSession& s) {
    ordered_json j;
    j["created_at"] = unix_seconds(s.created_at);
    j["last_seen_at"] = unix_seconds(s.last_seen_at);
    j["ip_address"] = s.ip_address ? ordered_json(*s.ip_address) : ordered_json(nullptr);
    j["user_agent"] = s.user_agent ? ordered_json(*s.user_agent) : ordered_json(nullptr);
    return j;
  });
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
  storage::UserRepository users(context->database);

  if (sub == "list") return print_list(out, err, name, users.list(), describe);

  const std::string& username = parsed->positional.front();
  const TimePoint now = SystemClock().now();
  if (sub == "verify-email") return verify_email(context->database, username, out, err);
  if (sub == "sessions") {
    return print_sessions(context->database, username, context->config, now, out, err);
  }
  // nullopt: no such user. Revocation happens in the same transaction as the change.
  Result<std::optional<storage::RevokedAccess>, storage::StorageError> changed =
      std::optional<storage::RevokedAccess>(storage::RevokedAccess{});
  if (sub == "disable" || sub == "enable") {
    changed = users.set_disabled(username, sub == "disable", now);
  } else if (sub == "set-password") {
    changed = users.set_password_hash(
        username, grants::hash_password(*password, argon2(context->config)), now);
  } else if (sub == "revoke") {
    changed = users.revoke_access(username, now);
  }
  if (auto failed = missing_or_failed(err, name, "user", username, changed)) return *failed;
  auto found = users.find_by_username(username);
  if (auto failed = missing_or_failed(err, name, "user", username, found)) return *failed;
  ordered_json j = describe(**found);
  if (sub == "disable" || sub == "set-password" || sub == "revoke") {
    j["revoked"] = {{"grants", (*changed)->grants_revoked},
                    {"sessions", (*changed)->sessions_ended}};
  }
  out << j.dump(2) << "\n";
  return 0;
}

}  // namespace keyward::cli
