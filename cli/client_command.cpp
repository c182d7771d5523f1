#include "cli/client_command.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <istream>
#include <iterator>
#include <ostream>

#include "cli/command_events.h"
#include "grants/client_registration.h"
#include "grants/client_secret.h"
#include "operations/client_operations.h"

namespace keyward::cli {

const char* const kClientUsage =
    "usage: keyward client <command>\n"
    "\n"
    "  create --name NAME --grant-types LIST --scopes \"S1 S2\" [--redirect-uri URI]...\n"
    "         [--post-logout-redirect-uri URI]... [--public] [--first-party]\n"
    "         [--audience AUD]... [--token-endpoint-auth-method M] [--introspect]\n"
    "      registers a client and prints it as JSON. LIST is comma-separated:\n"
    "      authorization_code, refresh_token, client_credentials, password. M is\n"
    "      client_secret_basic (default), client_secret_post, or none (public clients).\n"
    "      A confidential client's client_secret is printed this once and never again.\n"
    "      --introspect lets a confidential client (a resource server) introspect any\n"
    "      access token; without it a client learns only about access tokens whose aud\n"
    "      names it, and about its own refresh tokens.\n"
    "  list               prints every client as JSON (never a secret)\n"
    "  show ID            prints one client as JSON (never its secret)\n"
    "  update ID --first-party | --no-first-party\n"
    "      marks the client as the operator's own app or not, and prints it. First-party\n"
    "      clients skip the consent page and, when confidential and KEYWARD_PASSWORD_GRANT\n"
    "      is on, may use the password grant (RFC 9700 §2.4: for your own apps only)\n"
    "  rotate-secret ID   replaces the secret and prints the new one; the old one stops\n"
    "                     working at once\n"
    "  set-introspect ID on|off\n"
    "                     allows or stops the client's introspection of any access token\n"
    "  delete ID          deletes the client with its grants, codes, refresh tokens and\n"
    "                     consents\n"
    "\n"
    "Settings come from KEYWARD_DATABASE_URL and KEYWARD_MASTER_KEY (docs/configuration.md).\n"
    "Every change is announced to running servers (NOTIFY keyward_clients).\n";

// --- shared with user_command.cpp ------------------------------------------------------

std::optional<std::string> CommandArgs::single(std::string_view name) const {
  const auto it = options.find(name);
  if (it == options.end() || it->second.empty()) return std::nullopt;
  return it->second.front();
}

std::vector<std::string> CommandArgs::all(std::string_view name) const {
  const auto it = options.find(name);
  return it == options.end() ? std::vector<std::string>{} : it->second;
}

Result<CommandArgs, std::string> parse_command_args(const std::vector<std::string>& args,
                                                    const std::vector<OptionSpec>& specs) {
  CommandArgs out;
  bool options_ended = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    // POSIX "--": everything after it is positional.
    if (options_ended) {
      out.positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_ended = true;
      continue;
    }
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) {
      if (!arg.empty() && arg[0] == '-' && arg != "-") return err("unknown option '" + arg + "'");
      out.positional.push_back(arg);
      continue;
    }
    const size_t eq = arg.find('=');
    const std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    const OptionSpec* spec = nullptr;
    for (const auto& s : specs) {
      if (s.name == name) spec = &s;
    }
    if (!spec) return err("unknown option '--" + name + "'");
    std::string value;
    if (spec->takes_value) {
      if (eq != std::string::npos) {
        value = arg.substr(eq + 1);
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return err("--" + name + " needs a value");
      }
    } else if (eq != std::string::npos) {
      return err("--" + name + " takes no value");
    }
    auto& values = out.options[name];
    if (!values.empty() && !spec->repeatable) return err("--" + name + " is given twice");
    values.push_back(std::move(value));
  }
  return out;
}

Result<CommandArgs, int> parse_subcommand(std::ostream& err, std::string_view name,
                                          const std::vector<std::string>& words,
                                          const std::vector<OptionSpec>& specs,
                                          std::string_view kind, std::string_view usage) {
  auto parsed = parse_command_args(words, specs);
  if (!parsed.ok()) {
    err << "keyward " << name << ": " << parsed.error() << "\n";
    return keyward::err(kExitUsage);
  }
  const size_t want = kind.empty() ? 0 : 1;
  if (parsed->positional.size() < want) {
    err << "keyward " << name << ": which " << kind << "? usage: keyward " << name << " " << usage
        << "\n";
    return keyward::err(kExitUsage);
  }
  if (parsed->positional.size() > want) {
    err << "keyward " << name << ": unexpected argument '" << parsed->positional[want] << "'\n";
    return keyward::err(kExitUsage);
  }
  return std::move(parsed).value();
}

std::string read_stdin_value(std::istream& in) {
  std::string value((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!value.empty() && value.back() == '\n') {
    value.pop_back();
    if (!value.empty() && value.back() == '\r') value.pop_back();
  }
  return value;
}

std::optional<CommandContext> open_context(std::string_view command, const server::EnvGetter& env,
                                           std::ostream& err) {
  auto config = server::load_config(env);
  if (!config.ok()) {
    for (const auto& e : config.error()) err << "keyward " << command << ": " << e << "\n";
    return std::nullopt;
  }
  auto url = server::require_database_url(config.value());
  if (!url.ok()) {
    err << "keyward " << command << ": " << url.error() << "\n";
    return std::nullopt;
  }
  storage::DatabaseOptions options;
  options.max_connections = 1;
  auto database = storage::Database::open(url.value(), options);
  if (!database.ok()) {
    err << "keyward " << command
        << ": KEYWARD_DATABASE_URL is not a valid PostgreSQL connection string: "
        << database.error() << "\n";
    return std::nullopt;
  }
  return CommandContext{std::move(config).value(), std::move(database).value()};
}

void print_storage_error(std::ostream& err, std::string_view command,
                         const storage::StorageError& e) {
  if (e.code == storage::StorageErrorCode::Unavailable) {
    err << "keyward " << command
        << ": cannot reach the database (KEYWARD_DATABASE_URL): " << e.message << "\n";
  } else {
    err << "keyward " << command << ": database error (" << storage::to_string(e.code)
        << "): " << e.message << "\n";
  }
}

void print_no_such(std::ostream& err, std::string_view command, std::string_view kind,
                   std::string_view name) {
  err << "keyward " << command << ": no " << kind << " '" << name << "'\n";
}

int report_operation_error(std::ostream& err, std::string_view command,
                           const operations::OperationError& e) {
  if (e.storage) {
    print_storage_error(err, command, *e.storage);
    return kExitFailed;
  }
  err << "keyward " << command << ": " << e.message << "\n";
  return e.kind == operations::OperationErrorKind::Invalid ? kExitUsage : kExitFailed;
}

// --- client ----------------------------------------------------------------------------

namespace {

using nlohmann::ordered_json;

ordered_json describe(const storage::ClientRecord& c) {
  return operations::describe_client(c);
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::string current;
  for (char c : text) {
    if (c == ',' || c == ' ' || c == '\t') {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

operations::ClientOperations client_operations(CommandContext& context) {
  // open_context checked the URL already.
  return operations::ClientOperations(
      context.database, server::require_database_url(context.config).value(),
      command_events(context.config, context.database), operations::Actor::cli());
}

void warn(const std::optional<std::string>& warning, std::ostream& err) {
  if (warning) err << "keyward client: warning: " << *warning << "\n";
}

std::optional<std::string> secret_key(const server::Config& config, std::ostream& err) {
  auto master = server::resolve_master_key(config);
  if (!master.ok()) {
    err << "keyward client: " << master.error() << "\n";
    return std::nullopt;
  }
  if (master->development) {
    err << "keyward client: warning: KEYWARD_MASTER_KEY is not set: using the development key in "
        << master->path.string()
        << "; the server must use the same key or this secret will not verify\n";
  }
  return grants::client_secret_key(master->bytes);
}

int create(const std::vector<std::string>& words, const server::EnvGetter& env, std::ostream& out,
           std::ostream& err) {
  auto args = parse_command_args(words, {{"name"},
                                         {"grant-types"},
                                         {"scopes"},
                                         {"redirect-uri", true, true},
                                         {"post-logout-redirect-uri", true, true},
                                         {"public", false},
                                         {"first-party", false},
                                         {"audience", true, true},
                                         {"token-endpoint-auth-method"},
                                         {"introspect", false}});
  if (!args.ok()) {
    err << "keyward client create: " << args.error() << "\n";
    return kExitUsage;
  }
  if (!args->positional.empty()) {
    err << "keyward client create: unexpected argument '" << args->positional.front() << "'\n";
    return kExitUsage;
  }
  for (const char* required : {"name", "grant-types", "scopes"}) {
    if (!args->has(required)) {
      err << "keyward client create: --" << required << " is required\n";
      return kExitUsage;
    }
  }
  grants::ClientRegistration registration;
  registration.name = *args->single("name");
  registration.grant_types = split_list(*args->single("grant-types"));
  registration.scope = *args->single("scopes");
  registration.redirect_uris = args->all("redirect-uri");
  registration.post_logout_redirect_uris = args->all("post-logout-redirect-uri");
  registration.audiences = args->all("audience");
  registration.public_client = args->has("public");
  registration.first_party = args->has("first-party");
  registration.token_endpoint_auth_method = args->single("token-endpoint-auth-method");
  registration.may_introspect = args->has("introspect");
  auto context_free_check = operations::ClientOperations::check(registration);
  if (!context_free_check.ok()) {
    err << "keyward client create: " << context_free_check.error().message << "\n";
    return kExitUsage;
  }

  auto context = open_context("client create", env, err);
  if (!context) return kExitUsage;

  std::optional<std::string> key;
  if (context_free_check->confidential) {
    key = secret_key(context->config, err);
    if (!key) return kExitUsage;
  }
  auto operations = client_operations(*context);
  auto created = operations.create(registration, key);
  if (!created.ok()) return report_operation_error(err, "client create", created.error());
  warn(created->warning, err);
  const auto& secret = created->value.secret;

  ordered_json j;
  j["client_id"] = created->value.client.client_id;
  if (secret) j["client_secret"] = *secret;
  const ordered_json described = describe(created->value.client);
  for (const auto& [k, v] : described.items()) {
    if (k != "client_id") j[k] = v;
  }
  out << j.dump(2) << "\n";
  if (secret) err << "keyward client create: the client_secret is shown only once: store it now\n";
  return 0;
}

int set_introspect(const std::vector<std::string>& words, const server::EnvGetter& env,
                   std::ostream& out, std::ostream& err) {
  const std::string name = "client set-introspect";
  auto args = parse_command_args(words, {});
  if (!args.ok()) {
    err << "keyward " << name << ": " << args.error() << "\n";
    return kExitUsage;
  }
  const auto& words_given = args->positional;
  if (words_given.size() != 2 || (words_given[1] != "on" && words_given[1] != "off")) {
    err << "keyward " << name << ": usage: keyward " << name << " ID on|off\n";
    return kExitUsage;
  }
  const std::string& id = words_given[0];
  auto context = open_context(name, env, err);
  if (!context) return kExitUsage;
  auto operations = client_operations(*context);
  operations::ClientUpdate change;
  change.may_introspect = words_given[1] == "on";
  auto updated = operations.update(id, change);
  if (!updated.ok()) return report_operation_error(err, name, updated.error());
  warn(updated->warning, err);
  out << describe(updated->value).dump(2) << "\n";
  return 0;
}

}  // namespace

int run_client_command(const std::vector<std::string>& args, const server::EnvGetter& env,
                       std::ostream& out, std::ostream& err) {
  if (args.empty()) {
    err << kClientUsage;
    return kExitUsage;
  }
  const std::string& sub = args.front();
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (sub == "help" || sub == "--help" || sub == "-h") {
    out << kClientUsage;
    return 0;
  }
  if (sub == "create") return create(rest, env, out, err);
  if (sub == "set-introspect") return set_introspect(rest, env, out, err);

  const bool needs_id =
      sub == "show" || sub == "update" || sub == "rotate-secret" || sub == "delete";
  if (!needs_id && sub != "list") {
    err << "keyward client: unknown command '" << sub << "'\n" << kClientUsage;
    return kExitUsage;
  }
  const std::string name = "client " + sub;
  std::vector<OptionSpec> specs;
  if (sub == "update") specs = {{"first-party", false}, {"no-first-party", false}};
  auto parsed = parse_subcommand(err, name, rest, specs, needs_id ? "client" : "", "ID");
  if (!parsed.ok()) return parsed.error();
  if (sub == "update" && parsed->has("first-party") == parsed->has("no-first-party")) {
    err << "keyward " << name << ": say --first-party or --no-first-party (exactly one)\n";
    return kExitUsage;
  }

  auto context = open_context(name, env, err);
  if (!context) return kExitUsage;
  auto operations = client_operations(*context);

  if (sub == "list") {
    auto listed = operations.list();
    if (!listed.ok()) return report_operation_error(err, name, listed.error());
    auto rows = ordered_json::array();
    for (const auto& c : *listed) rows.push_back(describe(c));
    out << rows.dump(2) << "\n";
    return 0;
  }

  const std::string& id = parsed->positional.front();
  if (sub == "show") {
    auto found = operations.show(id);
    if (!found.ok()) return report_operation_error(err, name, found.error());
    out << describe(*found).dump(2) << "\n";
    return 0;
  }
  if (sub == "update") {
    operations::ClientUpdate change;
    change.first_party = parsed->has("first-party");
    auto updated = operations.update(id, change);
    if (!updated.ok()) return report_operation_error(err, name, updated.error());
    warn(updated->warning, err);
    out << describe(updated->value).dump(2) << "\n";
    return 0;
  }
  if (sub == "rotate-secret") {
    auto found = operations.show(id);
    if (!found.ok()) return report_operation_error(err, name, found.error());
    if (!found->confidential) {
      err << "keyward " << name << ": client '" << id
          << "' is public: it has no secret to rotate\n";
      return kExitUsage;
    }
    auto key = secret_key(context->config, err);
    if (!key) return kExitUsage;
    auto rotated = operations.rotate_secret(id, *key);
    if (!rotated.ok()) return report_operation_error(err, name, rotated.error());
    warn(rotated->warning, err);
    ordered_json j;
    j["client_id"] = id;
    j["client_secret"] = rotated->value;
    out << j.dump(2) << "\n";
    err << "keyward " << name << ": the client_secret is shown only once: store it now\n";
    return 0;
  }
  // delete
  auto removed = operations.remove(id);
  if (!removed.ok()) return report_operation_error(err, name, removed.error());
  warn(removed->warning, err);
  ordered_json j;
  j["client_id"] = id;
  j["deleted"] = true;
  out << j.dump(2) << "\n";
  return 0;
}

}  // namespace keyward::cli
