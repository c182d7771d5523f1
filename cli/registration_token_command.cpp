#include "cli/registration_token_command.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <ctime>

#include "cli/client_command.h"
#include "grants/registration_tokens.h"
#include "operations/registration_token_operations.h"
#include "storage/registration_token_repository.h"

namespace keyward::cli {

const char* const kRegistrationTokenUsage =
    "usage: keyward registration-token <command>\n"
    "\n"
    "  create [--expires-in SECONDS] [--max-uses N]\n"
    "      mints an initial access token for POST /register (KEYWARD_DCR=token) and prints\n"
    "      it as JSON, this once: only its SHA-256 is stored. Without --expires-in it never\n"
    "      expires (at most 31536000 s); without --max-uses it registers any number of\n"
    "      clients (at most 1000000). Each successful registration counts one use.\n"
    "  list [--json]      every token: id, created, expires, uses (never the token)\n"
    "  revoke ID          deletes the token: it registers nothing more. Clients it\n"
    "                     registered stay (delete them with `keyward client delete`)\n"
    "\n"
    "Settings come from KEYWARD_DATABASE_URL (docs/configuration.md).\n";

namespace {

using nlohmann::ordered_json;

std::string iso_time(TimePoint t) {
  const std::time_t seconds = static_cast<std::time_t>(unix_seconds(t));
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(text, n);
}

ordered_json describe(const storage::RegistrationTokenRecord& r) {
  return operations::describe_registration_token(r);
}

std::optional<long long> whole_number(const std::string& text) {
  long long value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

int create(const std::vector<std::string>& words, const server::EnvGetter& env, std::ostream& out,
           std::ostream& err) {
  const std::string name = "registration-token create";
  auto args = parse_command_args(words, {{"expires-in"}, {"max-uses"}});
  if (!args.ok()) {
    err << "keyward " << name << ": " << args.error() << "\n";
    return kExitUsage;
  }
  if (!args->positional.empty()) {
    err << "keyward " << name << ": unexpected argument '" << args->positional.front() << "'\n";
    return kExitUsage;
  }
  grants::RegistrationTokenLimits limits;
  if (auto text = args->single("expires-in")) {
    const auto seconds = whole_number(*text);
    if (!seconds || *seconds < 1 || *seconds > grants::kMaxRegistrationTokenLifetime.count()) {
      err << "keyward " << name << ": --expires-in must be 1 to "
          << grants::kMaxRegistrationTokenLifetime.count() << " seconds\n";
      return kExitUsage;
    }
    limits.expires_in = std::chrono::seconds(*seconds);
  }
  if (auto text = args->single("max-uses")) {
    const auto uses = whole_number(*text);
    if (!uses || *uses < 1 || *uses > grants::kMaxRegistrationTokenUses) {
      err << "keyward " << name << ": --max-uses must be 1 to " << grants::kMaxRegistrationTokenUses
          << "\n";
      return kExitUsage;
    }
    limits.max_uses = static_cast<int>(*uses);
  }
  auto context = open_context(name, env, err);
  if (!context) return kExitUsage;
  SystemClock clock;
  auto created = operations::RegistrationTokenOperations(context->database, clock).create(limits);
  if (!created.ok()) {
    err << "keyward " << name << ": " << created.error().message << "\n";
    return kExitFailed;
  }
  ordered_json j = describe(created->record);
  j["token"] = created->token;
  out << j.dump(2) << "\n";
  err << "keyward " << name << ": the token is shown only once: store it now\n";
  return 0;
}

int list(const CommandArgs& args, storage::RegistrationTokenRepository& tokens, std::ostream& out,
         std::ostream& err) {
  const std::string name = "registration-token list";
  if (args.has("json")) return print_list(out, err, name, tokens.list(), describe);
  auto listed = tokens.list();
  if (!listed.ok()) {
    print_storage_error(err, name, listed.error());
    return kExitFailed;
  }
  out << "id\tcreated\texpires\tuses\n";
  for (const auto& r : *listed) {
    out << r.id << "\t" << iso_time(r.created_at) << "\t"
        << (r.expires_at ? iso_time(*r.expires_at) : std::string("never")) << "\t" << r.uses << "/"
        << (r.max_uses ? std::to_string(*r.max_uses) : std::string("unlimited")) << "\n";
  }
  return 0;
}

}  // namespace

int run_registration_token_command(const std::vector<std::string>& args,
                                   const server::EnvGetter& env, std::ostream& out,
                                   std::ostream& err) {
  if (args.empty()) {
    err << kRegistrationTokenUsage;
    return kExitUsage;
  }
  const std::string& sub = args.front();
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (sub == "help" || sub == "--help" || sub == "-h") {
    out << kRegistrationTokenUsage;
    return 0;
  }
  if (sub == "create") return create(rest, env, out, err);
  if (sub != "list" && sub != "revoke") {
    err << "keyward registration-token: unknown command '" << sub << "'\n"
        << kRegistrationTokenUsage;
    return kExitUsage;
  }
  const std::string name = "registration-token " + sub;
  std::vector<OptionSpec> specs;
  if (sub == "list") specs = {{"json", false}};
  auto parsed = parse_command_args(rest, specs);
  if (!parsed.ok()) {
    err << "keyward " << name << ": " << parsed.error() << "\n";
    return kExitUsage;
  }
  const std::size_t want = sub == "revoke" ? 1 : 0;
  if (parsed->positional.size() != want) {
    if (parsed->positional.size() < want) {
      err << "keyward " << name << ": which token? usage: keyward " << name << " ID\n";
    } else {
      err << "keyward " << name << ": unexpected argument '" << parsed->positional[want] << "'\n";
    }
    return kExitUsage;
  }
  auto context = open_context(name, env, err);
  if (!context) return kExitUsage;
  storage::RegistrationTokenRepository tokens(context->database);
  if (sub == "list") return list(*parsed, tokens, out, err);

  const std::string& id = parsed->positional.front();
  SystemClock clock;
  auto revoked = operations::RegistrationTokenOperations(context->database, clock).revoke(id);
  if (!revoked.ok()) return report_operation_error(err, name, revoked.error());
  out << ordered_json{{"id", id}, {"revoked", true}}.dump(2) << "\n";
  return 0;
}

}  // namespace keyward::cli
