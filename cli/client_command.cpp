#include "cli/client_command.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <istream>
#include <iterator>
#include <ostream>

#include "common/crypto.h"
#include "grants/client_announcement.h"
#include "grants/client_cache.h"
#include "grants/client_registration.h"
#include "grants/client_secret.h"
#include "grants/scope.h"
#include "storage/client_repository.h"

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

// --- client ----------------------------------------------------------------------------

namespace {

using nlohmann::ordered_json;

constexpr std::string_view kClient = "client";

ordered_json describe(const storage::ClientRecord& c) {
  ordered_json j;
  j["client_id"] = c.client_id;
  j["client_name"] = c.name;
  j["client_type"] = c.confidential ? "confidential" : "public";
  j["first_party"] = c.first_party;
  j["token_endpoint_auth_method"] = c.token_endpoint_auth_method;
  j["grant_types"] = c.grant_types;
  j["scope"] = grants::format_scope(grants::to_scope_set(c.scopes));
  j["redirect_uris"] = c.redirect_uris;
  j["post_logout_redirect_uris"] = c.post_logout_redirect_uris;
  j["audiences"] = c.audiences;
  j["may_introspect"] = c.may_introspect;
  // RFC 7591 §3.2.1's name for when the id was issued.
  j["client_id_issued_at"] = unix_seconds(c.created_at);
  j["updated_at"] = unix_seconds(c.updated_at);
  return j;
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

// Tells the running servers and waits (a few seconds at most) until each has dropped the
// client from its cache, so a rotated secret or a deleted client is refused everywhere
// once the command returns. An instance that does not confirm in time (it is stopping, or
// its listener is reconnecting) picks the change up within a minute: a warning, not a
// failure, since the change itself is stored.
constexpr std::chrono::seconds kAnnouncementWait{5};

void announce(CommandContext& context, const std::string& client_id, std::ostream& err) {
  const auto url = server::require_database_url(context.config);
  if (!url.ok()) return;  // the command could not have reached the database either
  auto announced =
      grants::announce_client_change(context.database, *url, client_id, kAnnouncementWait);
  if (!announced.ok()) {
    err << "keyward client: warning: the change is stored but running servers were not told ("
        << announced.error() << "); they pick it up within a minute\n";
  } else if (announced->confirmed < announced->listening) {
    err << "keyward client: warning: the change is stored but only " << announced->confirmed
        << " of " << announced->listening
        << " running servers confirmed it; the others pick it up within a minute\n";
  }
}

// 128 random bits, base64url: unguessable, though not a secret (RFC 6749 §2.2). Never
// starting with '-' or '_', so the id can follow a command (`client show ID`) without
// being read as an option, and survives double-click selection.
std::string new_client_id() {
  for (;;) {
    std::string id = random_token(16);
    if (std::isalnum(static_cast<unsigned char>(id.front()))) return id;
  }
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
  auto client = grants::validate_client_registration(registration);
  if (!client.ok()) {
    err << "keyward client create: " << client.error().description << "\n";
    return kExitUsage;
  }

  auto context = open_context("client create", env, err);
  if (!context) return kExitUsage;

  storage::ClientRecord record;
  record.client_id = new_client_id();
  record.name = client->name;
  record.confidential = client->confidential;
  record.first_party = client->first_party;
  record.token_endpoint_auth_method = client->token_endpoint_auth_method;
  record.grant_types = client->grant_types;
  record.scopes = client->scopes;
  record.redirect_uris = client->redirect_uris;
  record.post_logout_redirect_uris = client->post_logout_redirect_uris;
  record.audiences = client->audiences;
  record.may_introspect = client->may_introspect;
  std::optional<grants::NewClientSecret> secret;
  if (record.confidential) {
    auto key = secret_key(context->config, err);
    if (!key) return kExitUsage;
    secret = grants::generate_client_secret(*key);
    record.secret_hmac = secret->hmac;
  }
  storage::ClientRepository repository(context->database);
  auto inserted = repository.insert(record);
  if (!inserted.ok()) {
    print_storage_error(err, "client create", inserted.error());
    return kExitFailed;
  }
  announce(*context, record.client_id, err);

  ordered_json j;
  j["client_id"] = inserted->client_id;
  if (secret) j["client_secret"] = secret->secret;
  const ordered_json described = describe(inserted.value());
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
  storage::ClientRepository repository(context->database);
  auto updated = repository.set_may_introspect(id, words_given[1] == "on");
  if (!updated.ok() && updated.error().code == storage::StorageErrorCode::CheckViolation) {
    err << "keyward " << name << ": client '" << id
        << "' is public: only a confidential client can introspect\n";
    return kExitUsage;
  }
  if (auto failed = missing_or_failed(err, name, kClient, id, updated)) return *failed;
  announce(*context, id, err);
  auto found = repository.find(id);
  if (!found.ok() || !found->has_value()) {
    out << ordered_json{{"client_id", id}, {"may_introspect", words_given[1] == "on"}}.dump(2)
        << "\n";
    return 0;
  }
  out << describe(**found).dump(2) << "\n";
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
  storage::ClientRepository repository(context->database);

  if (sub == "list") return print_list(out, err, name, repository.list(), describe);

  const std::string& id = parsed->positional.front();
  auto found = repository.find(id);
  if (auto failed = missing_or_failed(err, name, kClient, id, found)) return *failed;
  const storage::ClientRecord& client = **found;

  if (sub == "show") {
    out << describe(client).dump(2) << "\n";
    return 0;
  }
  if (sub == "update") {
    auto updated = repository.set_first_party(id, parsed->has("first-party"));
    if (auto failed = missing_or_failed(err, name, kClient, id, updated)) return *failed;
    auto now = repository.find(id);
    if (auto failed = missing_or_failed(err, name, kClient, id, now)) return *failed;
    announce(*context, id, err);
    out << describe(**now).dump(2) << "\n";
    return 0;
  }
  if (sub == "rotate-secret") {
    if (!client.confidential) {
      err << "keyward " << name << ": client '" << id
          << "' is public: it has no secret to rotate\n";
      return kExitUsage;
    }
    auto key = secret_key(context->config, err);
    if (!key) return kExitUsage;
    const auto secret = grants::generate_client_secret(*key);
    auto updated = repository.update_secret(id, secret.hmac);
    if (auto failed = missing_or_failed(err, name, kClient, id, updated)) return *failed;
    announce(*context, id, err);
    ordered_json j;
    j["client_id"] = id;
    j["client_secret"] = secret.secret;
    out << j.dump(2) << "\n";
    err << "keyward " << name << ": the client_secret is shown only once: store it now\n";
    return 0;
  }
  // delete
  auto removed = repository.remove(id);
  if (auto failed = missing_or_failed(err, name, kClient, id, removed)) return *failed;
  announce(*context, id, err);
  ordered_json j;
  j["client_id"] = id;
  j["deleted"] = true;
  out << j.dump(2) << "\n";
  return 0;
}

}  // namespace keyward::cli
