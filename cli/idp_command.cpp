#include "cli/idp_command.h"

#include <openssl/crypto.h>

#include <istream>
#include <ostream>

#include <nlohmann/json.hpp>

#include "cli/client_command.h"
#include "common/log.h"
#include "common/text.h"
#include "federation/provider_rules.h"
#include "federation/provider_secret.h"
#include "federation/upstream_metadata.h"
#include "federation/upstream_url.h"
#include "resource_server/http_fetcher.h"
#include "storage/identity_provider_repository.h"

namespace keyward::cli {

const char* const kIdpUsage =
    "usage: keyward idp <command>\n"
    "\n"
    "  add --name NAME --issuer URL --client-id ID --client-secret-stdin\n"
    "      [--scopes \"openid email profile\"] [--button-label LABEL] [--no-discovery-check]\n"
    "      registers an upstream OpenID provider users may sign in with. NAME is 1 to 32 of\n"
    "      a-z, 0-9 and '-' (starting with a letter or digit); URL is the provider's issuer\n"
    "      (https; plain http only for 127.0.0.1, [::1] or localhost); ID and the secret\n"
    "      (read from standard input, one trailing newline dropped) are Keyward's client\n"
    "      credentials at the provider. The scopes must include openid; the button says\n"
    "      \"Sign in with LABEL\" (default: NAME capitalised). The provider's discovery\n"
    "      document is fetched and checked first, unless --no-discovery-check. Prints the\n"
    "      redirect URI to register at the provider: KEYWARD_ISSUER/federation/callback.\n"
    "  list [--json]      the registered providers (never a secret)\n"
    "  show NAME [--json] one provider (never its secret)\n"
    "  remove NAME        removes the provider, with the links of accounts to it\n"
    "\n"
    "Settings come from KEYWARD_DATABASE_URL, KEYWARD_MASTER_KEY and KEYWARD_ISSUER\n"
    "(docs/configuration.md). Running servers pick up a change within 30 seconds.\n";

namespace {

using nlohmann::ordered_json;

constexpr std::string_view kProvider = "identity provider";
constexpr size_t kMaxClientId = 1000;
constexpr size_t kMaxSecret = 1000;

// RFC 3339 to the second, as `keyward keys list` shows times.
std::string when(TimePoint t) {
  auto text = format_utc_time(t);
  if (const auto dot = text.find('.'); dot != std::string::npos) text.erase(dot, 4);
  return text;
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

ordered_json describe(const storage::IdentityProviderRecord& p, const std::string& redirect_uri) {
  ordered_json j;
  j["name"] = p.name;
  j["issuer"] = p.issuer;
  j["client_id"] = p.client_id;
  j["scopes"] = joined(p.scopes);
  j["button_label"] = p.button_label;
  j["redirect_uri"] = redirect_uri;
  j["created_at"] = when(p.created_at);
  j["updated_at"] = when(p.updated_at);
  return j;
}

void print_text(std::ostream& out, const ordered_json& provider) {
  for (const auto& [key, value] : provider.items()) {
    out << key << ": " << value.get<std::string>() << "\n";
  }
}

// nullopt when the value may be stored; RFC 6749 Appendix A: client_id and client_secret
// are *VSCHAR.
std::optional<std::string> credential_problem(std::string_view what, std::string_view value,
                                              size_t max_size) {
  if (value.empty()) return std::string(what) + " is empty";
  if (value.size() > max_size) {
    return std::string(what) + " is longer than " + std::to_string(max_size) + " bytes";
  }
  if (!is_vschar(value)) return std::string(what) + " must be printable ASCII";
  return std::nullopt;
}

struct NewProvider {
  storage::IdentityProviderRecord record;
  std::string secret;
};

// Every check that needs no network and no database; the message says what to change.
Result<NewProvider, std::string> read_registration(const CommandArgs& args, std::istream& in) {
  for (const char* required : {"name", "issuer", "client-id"}) {
    if (!args.has(required)) return err("--" + std::string(required) + " is required");
  }
  if (!args.has("client-secret-stdin")) {
    return err(std::string(
        "--client-secret-stdin is required (the client secret is read from standard input)"));
  }
  NewProvider p;
  p.record.name = *args.single("name");
  if (!federation::is_valid_provider_name(p.record.name)) {
    return err("'" + p.record.name +
               "' is not a provider name: 1 to 32 of a-z, 0-9 and '-', starting with a letter "
               "or digit");
  }
  p.record.issuer = *args.single("issuer");
  if (auto problem = federation::issuer_problem(p.record.issuer)) return err(std::move(*problem));
  p.record.client_id = *args.single("client-id");
  if (auto problem = credential_problem("--client-id", p.record.client_id, kMaxClientId)) {
    return err(std::move(*problem));
  }
  auto scopes =
      federation::parse_provider_scopes(args.single("scopes").value_or("openid email profile"));
  if (!scopes.ok()) return err(std::move(scopes).error());
  p.record.scopes = std::move(scopes).value();
  p.record.button_label =
      args.single("button-label").value_or(federation::default_button_label(p.record.name));
  if (auto problem = federation::button_label_problem(p.record.button_label)) {
    return err(std::move(*problem));
  }
  p.secret = read_stdin_value(in);
  if (auto problem = credential_problem("the client secret from stdin", p.secret, kMaxSecret)) {
    return err(std::move(*problem));
  }
  return p;
}

int add(const std::vector<std::string>& words, const server::EnvGetter& env, std::istream& in,
        std::ostream& out, std::ostream& err) {
  const std::string name = "idp add";
  auto args = parse_command_args(words, {{"name"},
                                         {"issuer"},
                                         {"client-id"},
                                         {"client-secret-stdin", false},
                                         {"scopes"},
                                         {"button-label"},
                                         {"no-discovery-check", false}});
  if (!args.ok()) {
    err << "keyward " << name << ": " << args.error() << "\n";
    return kExitUsage;
  }
  if (!args->positional.empty()) {
    err << "keyward " << name << ": unexpected argument '" << args->positional.front() << "'\n";
    return kExitUsage;
  }
  auto provider = read_registration(*args, in);
  if (!provider.ok()) {
    err << "keyward " << name << ": " << provider.error() << "\n";
    return kExitUsage;
  }
  auto context = open_context(name, env, err);
  if (!context) return kExitUsage;
  auto master = server::resolve_master_key(context->config);
  if (!master.ok()) {
    err << "keyward " << name << ": " << master.error() << "\n";
    return kExitUsage;
  }
  if (master->development) {
    err << "keyward " << name
        << ": warning: KEYWARD_MASTER_KEY is not set: sealing the secret with the development "
           "key in "
        << master->path.string() << "; the server must use the same key\n";
  }

  if (!args->has("no-discovery-check")) {
    rs::CurlFetcher fetcher;
    auto metadata = federation::fetch_upstream_metadata(fetcher, provider->record.issuer);
    if (!metadata.ok()) {
      err << "keyward " << name << ": the provider's discovery document "
          << (metadata.error().unreachable ? "could not be fetched" : "is not usable") << ": "
          << metadata.error().message
          << "\n(nothing stored; --no-discovery-check registers it without this check)\n";
      return kExitFailed;
    }
  }

  auto key = federation::provider_secret_key(master->bytes);
  provider->record.client_secret_sealed =
      federation::seal_provider_secret(key, provider->record.name, provider->secret);
  OPENSSL_cleanse(key.data(), key.size());
  OPENSSL_cleanse(provider->secret.data(), provider->secret.size());
  OPENSSL_cleanse(master->bytes.data(), master->bytes.size());

  storage::IdentityProviderRepository repository(context->database);
  auto inserted = repository.insert(provider->record);
  if (!inserted.ok()) {
    print_storage_error(err, name, inserted.error());
    return kExitFailed;
  }
  if (*inserted == storage::IdentityProviderRepository::InsertOutcome::NameTaken) {
    err << "keyward " << name << ": an identity provider named '" << provider->record.name
        << "' exists already (keyward idp remove " << provider->record.name << " first)\n";
    return kExitFailed;
  }
  out << "registered identity provider '" << provider->record.name << "' (issuer "
      << provider->record.issuer << ")\n"
      << "register this redirect URI at the provider: "
      << federation::callback_redirect_uri(context->config.issuer) << "\n";
  return 0;
}

}  // namespace

int run_idp_command(const std::vector<std::string>& args, const server::EnvGetter& env,
                    std::istream& in, std::ostream& out, std::ostream& err) {
  if (args.empty()) {
    err << kIdpUsage;
    return kExitUsage;
  }
  const std::string& sub = args.front();
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (sub == "help" || sub == "--help" || sub == "-h") {
    out << kIdpUsage;
    return 0;
  }
  if (sub == "add") return add(rest, env, in, out, err);

  const bool needs_name = sub == "show" || sub == "remove";
  if (!needs_name && sub != "list") {
    err << "keyward idp: unknown command '" << sub << "'\n" << kIdpUsage;
    return kExitUsage;
  }
  const std::string name = "idp " + sub;
  std::vector<OptionSpec> specs;
  if (sub != "remove") specs = {{"json", false}};
  auto parsed = parse_subcommand(err, name, rest, specs, needs_name ? "provider" : "", "NAME");
  if (!parsed.ok()) return parsed.error();
  const bool as_json = parsed->has("json");

  auto context = open_context(name, env, err);
  if (!context) return kExitUsage;
  const std::string redirect_uri = federation::callback_redirect_uri(context->config.issuer);
  storage::IdentityProviderRepository repository(context->database);
  const auto describe_one = [&](const storage::IdentityProviderRecord& p) {
    return describe(p, redirect_uri);
  };

  if (sub == "list") {
    if (as_json) return print_list(out, err, name, repository.list(), describe_one);
    auto providers = repository.list();
    if (!providers.ok()) {
      print_storage_error(err, name, providers.error());
      return kExitFailed;
    }
    if (providers->empty()) {
      out << "no identity providers: keyward idp add registers one\n";
      return 0;
    }
    for (const auto& p : *providers) {
      out << p.name << "  " << p.issuer << "  \"" << p.button_label << "\"  " << joined(p.scopes)
          << "\n";
    }
    return 0;
  }

  const std::string& provider = parsed->positional.front();
  if (sub == "show") {
    auto found = repository.find(provider);
    if (auto failed = missing_or_failed(err, name, kProvider, provider, found)) return *failed;
    if (as_json) {
      out << describe_one(**found).dump(2) << "\n";
    } else {
      print_text(out, describe_one(**found));
    }
    return 0;
  }
  // remove
  auto removed = repository.remove(provider);
  if (auto failed = missing_or_failed(err, name, kProvider, provider, removed)) return *failed;
  out << "removed identity provider '" << provider
      << "'; accounts linked to it can no longer sign in with it\n";
  return 0;
}

}  // namespace keyward::cli
