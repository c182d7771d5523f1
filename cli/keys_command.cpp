#include "cli/keys_command.h"

#include <openssl/crypto.h>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/command_events.h"
#include "common/clock.h"
#include "common/log.h"
#include "jose/alg.h"
#include "keys/key_store.h"
#include "operations/key_operations.h"
#include "storage/database.h"

namespace keyward::cli {

namespace {

void fail(const std::string& message) {
  std::fprintf(stderr, "keyward keys: %s\n", message.c_str());
}

std::string when(TimePoint t) {
  return operations::key_time(t);
}

std::string when(const std::optional<TimePoint>& t) {
  return t ? when(*t) : std::string("-");
}

std::optional<storage::Database> open_database(const server::Config& config) {
  auto url = server::require_database_url(config);
  if (!url.ok()) {
    fail(url.error());
    return std::nullopt;
  }
  storage::DatabaseOptions options;
  options.max_connections = 2;
  auto database = storage::Database::open(url.value(), options);
  if (!database.ok()) {
    fail("KEYWARD_DATABASE_URL is not a valid PostgreSQL connection string: " + database.error());
    return std::nullopt;
  }
  return std::move(database).value();
}

int list_keys(const server::Config& config, bool as_json) {
  auto database = open_database(config);
  if (!database) return 2;
  auto keys = operations::KeyOperations(*database, command_events(config, *database),
                                        operations::Actor::cli())
                  .list();
  if (!keys.ok()) {
    fail("cannot list the signing keys: " +
         (keys.error().storage ? keys.error().storage->message : keys.error().message));
    return 1;
  }
  if (as_json) {
    auto out = nlohmann::ordered_json::array();
    for (const auto& k : keys.value()) out.push_back(operations::describe_key(k));
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  if (keys->empty()) {
    std::printf("no signing keys yet: `keyward serve` creates the first one when it starts\n");
    return 0;
  }
  std::size_t kid_width = 3;
  for (const auto& k : keys.value()) kid_width = std::max(kid_width, k.kid.size());
  const auto row = [&](std::string_view kid, std::string_view alg, std::string_view state,
                       const std::string& created, const std::string& activates,
                       const std::string& retires, const std::string& deleted) {
    std::printf("%-*.*s  %-5.*s  %-7.*s  %-20s  %-20s  %-20s  %s\n", static_cast<int>(kid_width),
                static_cast<int>(kid.size()), kid.data(), static_cast<int>(alg.size()), alg.data(),
                static_cast<int>(state.size()), state.data(), created.c_str(), activates.c_str(),
                retires.c_str(), deleted.c_str());
  };
  row("KID", "ALG", "STATE", "CREATED", "ACTIVATES", "RETIRES", "DELETED AFTER");
  for (const auto& k : keys.value()) {
    row(k.kid, k.alg, to_string(k.state), when(k.created_at), when(k.activates_at),
        when(k.retires_at), when(k.delete_after));
  }
  return 0;
}

int rotate_key(const server::Config& config, std::optional<jose::Alg> requested) {
  auto master_key = server::resolve_master_key(config);
  if (!master_key.ok()) {
    fail(master_key.error());
    return 2;
  }
  if (master_key->development) {
    std::fprintf(stderr,
                 "keyward keys: warning: KEYWARD_MASTER_KEY is not set: sealing the new key with "
                 "the DEVELOPMENT master key in %s\n",
                 master_key->path.c_str());
  }
  auto database = open_database(config);
  if (!database) return 2;
  const auto now = std::chrono::system_clock::now();
  auto kek = keys::key_encryption_key(master_key->bytes);
  auto outcome = operations::KeyOperations(*database, command_events(config, *database),
                                           operations::Actor::cli())
                     .rotate(kek, requested, now, config.key_publication_delay);
  OPENSSL_cleanse(kek.data(), kek.size());
  OPENSSL_cleanse(master_key->bytes.data(), master_key->bytes.size());
  if (!outcome.ok()) {
    fail(outcome.error().message);
    return 1;
  }
  const auto& key = outcome->key;
  std::printf("kid %s\nalg %s\nstate next: published now, signing from %s (in %lld s)\n",
              key.kid.c_str(), key.alg.c_str(), when(key.activates_at).c_str(),
              static_cast<long long>(config.key_publication_delay.count()));
  if (!outcome->notified) {
    std::fprintf(stderr,
                 "keyward keys: warning: NOTIFY failed; running instances publish the key at "
                 "their next periodic re-read (30 s)\n");
  }
  return 0;
}

}  // namespace

int run_keys_command(const server::Config& config, std::span<const std::string_view> args) {
  if (args.empty()) {
    std::fputs(kKeysUsage.data(), stderr);
    return 2;
  }
  const auto verb = args[0];
  const auto rest = args.subspan(1);
  if (verb == "list") {
    bool as_json = false;
    for (const auto a : rest) {
      if (a == "--json") {
        as_json = true;
      } else {
        fail("unexpected argument '" + std::string(a) + "'");
        std::fputs(kKeysUsage.data(), stderr);
        return 2;
      }
    }
    return list_keys(config, as_json);
  }
  if (verb == "rotate") {
    std::optional<jose::Alg> alg;
    for (std::size_t i = 0; i < rest.size(); ++i) {
      std::optional<std::string_view> value;
      if (rest[i] == "--alg" && i + 1 < rest.size()) {
        value = rest[++i];
      } else if (rest[i].starts_with("--alg=")) {
        value = rest[i].substr(6);
      } else {
        fail("unexpected argument '" + std::string(rest[i]) + "'");
        std::fputs(kKeysUsage.data(), stderr);
        return 2;
      }
      const auto parsed = operations::rotation_alg(*value);
      if (!parsed.ok()) {
        fail(parsed.error().message);
        return 2;
      }
      alg = *parsed;
    }
    return rotate_key(config, alg);
  }
  fail("unknown subcommand '" + std::string(verb) + "'");
  std::fputs(kKeysUsage.data(), stderr);
  return 2;
}

}  // namespace keyward::cli
