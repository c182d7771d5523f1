// keyward: the authorization server's one binary.
//   keyward serve     run the HTTP server (behind the front door)
//   keyward migrate   apply migrations/NNNN_*.sql
//   keyward keys      list or rotate the signing keys
//   keyward janitor   delete expired and revoked tokens and grants once
//   keyward client    register and manage OAuth clients
//   keyward user      manage end users
//   keyward idp       register upstream OpenID providers (Sign in with Google)
//   keyward registration-token   initial access tokens for POST /register
//   keyward events    read the audit events
//   keyward stats     daily statistics from the audit events
//   keyward version   print the version
//   keyward help      print this
#include <signal.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/client_command.h"
#include "cli/event_command.h"
#include "cli/idp_command.h"
#include "cli/janitor_command.h"
#include "cli/keys_command.h"
#include "cli/registration_token_command.h"
#include "cli/user_command.h"
#include "common/log.h"
#include "server/compose.h"
#include "server/config.h"

#ifndef KEYWARD_VERSION
#define KEYWARD_VERSION "0.0.0"
#endif

namespace {

constexpr const char* kUsage =
    "usage: keyward <command>\n"
    "\n"
    "commands:\n"
    "  serve     run the HTTP server; configuration from KEYWARD_* environment variables\n"
    "            (docs/configuration.md); stops gracefully on SIGTERM or SIGINT\n"
    "  migrate   apply the migrations in KEYWARD_MIGRATIONS_DIR to KEYWARD_DATABASE_URL\n"
    "  janitor   delete expired codes, refresh tokens, revoked token ids, dead grants and\n"
    "            audit events past KEYWARD_EVENT_RETENTION once (serve does it every\n"
    "            KEYWARD_JANITOR_INTERVAL); prints the counts\n"
    "  keys list [--json]\n"
    "            the signing keys: kid, alg, state, created, activates, retires\n"
    "  keys rotate [--alg RS256|ES256|EdDSA]\n"
    "            publish a next key that signs after KEYWARD_KEY_PUBLICATION_DELAY\n"
    "  client create|list|show|rotate-secret|delete ...\n"
    "            register and manage OAuth clients (keyward client help)\n"
    "  user create|list|show|disable|enable|set-password ...\n"
    "            manage end users (keyward user help)\n"
    "  idp add|list|show|remove ...\n"
    "            register upstream OpenID providers users may sign in with\n"
    "            (keyward idp help)\n"
    "  registration-token create|list|revoke ...\n"
    "            initial access tokens for dynamic client registration (POST /register;\n"
    "            keyward registration-token help)\n"
    "  events [--user U] [--client C] [--type T] [--since T] [--until T] [--limit N] [--json]\n"
    "            the audit events, newest first (keyward events help)\n"
    "  stats [--days N] [--json]\n"
    "            tokens, sign-ins, failures and active users per day and client\n"
    "  version   print the version\n"
    "  help      print this message\n";

// Loads the configuration or prints every problem; nullopt means exit 2.
std::optional<keyward::server::Config> load_or_report(std::string_view command) {
  auto config = keyward::server::load_config(keyward::server::process_env());
  if (!config.ok()) {
    for (const auto& e : config.error()) {
      std::fprintf(stderr, "keyward %.*s: %s\n", static_cast<int>(command.size()), command.data(),
                   e.c_str());
    }
    return std::nullopt;
  }
  return std::move(config).value();
}

}  // namespace

int main(int argc, char** argv) {
  // A peer that closes early must cost us a failed write, never the process.
  ::signal(SIGPIPE, SIG_IGN);

  const std::string_view command = argc > 1 ? argv[1] : "";
  if (command == "janitor") {
    auto config = load_or_report(command);
    if (!config) return 2;
    const std::vector<std::string_view> args(argv + 2, argv + argc);
    return keyward::cli::run_janitor_command(*config, args);
  }
  if (command == "keys") {
    auto config = load_or_report(command);
    if (!config) return 2;
    const std::vector<std::string_view> args(argv + 2, argv + argc);
    return keyward::cli::run_keys_command(*config, args);
  }
  if (command == "idp") {
    const std::vector<std::string> args(argv + 2, argv + argc);
    return keyward::cli::run_idp_command(args, keyward::server::process_env(), std::cin, std::cout,
                                         std::cerr);
  }
  if (command == "client" || command == "user") {
    const std::vector<std::string> args(argv + 2, argv + argc);
    const auto env = keyward::server::process_env();
    return command == "client"
               ? keyward::cli::run_client_command(args, env, std::cout, std::cerr)
               : keyward::cli::run_user_command(args, env, std::cin, std::cout, std::cerr);
  }
  if (command == "registration-token") {
    const std::vector<std::string> args(argv + 2, argv + argc);
    return keyward::cli::run_registration_token_command(args, keyward::server::process_env(),
                                                        std::cout, std::cerr);
  }
  if (command == "events" || command == "stats") {
    const std::vector<std::string> args(argv + 2, argv + argc);
    const auto env = keyward::server::process_env();
    return command == "events" ? keyward::cli::run_events_command(args, env, std::cout, std::cerr)
                               : keyward::cli::run_stats_command(args, env, std::cout, std::cerr);
  }
  if (argc > 2) {
    std::fprintf(stderr, "keyward %s: unexpected argument '%s'\n%s", argv[1], argv[2], kUsage);
    return 2;
  }
  if (command == "serve") {
    auto config = load_or_report(command);
    if (!config) return 2;
    keyward::Logger logger(config->log_level);
    return keyward::server::run_serve(*config, logger, keyward::server::extra_routes());
  }
  if (command == "migrate") {
    auto config = load_or_report(command);
    if (!config) return 2;
    return keyward::server::run_migrate(*config);
  }
  if (command == "version" || command == "--version") {
    std::printf("keyward %s\n", KEYWARD_VERSION);
    return 0;
  }
  if (command == "help" || command == "--help" || command == "-h") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (command.empty()) {
    std::fputs(kUsage, stderr);
  } else {
    std::fprintf(stderr, "keyward: unknown command '%.*s'\n%s", static_cast<int>(command.size()),
                 command.data(), kUsage);
  }
  return 2;
}
