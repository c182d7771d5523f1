#include "cli/janitor_command.h"

#include <cstdio>

#include "storage/database.h"
#include "storage/janitor.h"

namespace keyward::cli {

int run_janitor_command(const server::Config& config, std::span<const std::string_view> args) {
  if (!args.empty()) {
    std::fprintf(stderr, "keyward janitor: unexpected argument '%.*s'\n%.*s",
                 static_cast<int>(args[0].size()), args[0].data(),
                 static_cast<int>(kJanitorUsage.size()), kJanitorUsage.data());
    return 2;
  }
  auto url = server::require_database_url(config);
  if (!url.ok()) {
    std::fprintf(stderr, "keyward janitor: %s\n", url.error().c_str());
    return 2;
  }
  storage::DatabaseOptions options;
  options.max_connections = 1;
  // A large backlog takes many batches; each statement is still bounded.
  options.statement_timeout = std::chrono::seconds(60);
  auto database = storage::Database::open(*url, options);
  if (!database.ok()) {
    std::fprintf(stderr, "keyward janitor: KEYWARD_DATABASE_URL: %s\n", database.error().c_str());
    return 2;
  }
  storage::JanitorOptions janitor_options;
  janitor_options.event_retention = config.event_retention;
  storage::Janitor janitor(*database, janitor_options);
  auto counts = janitor.run_once(SystemClock().now());
  if (!counts.ok()) {
    std::fprintf(stderr, "keyward janitor: %s: %s\n",
                 std::string(storage::to_string(counts.error().code)).c_str(),
                 counts.error().message.c_str());
    return 1;
  }
  if (!counts->ran) {
    std::printf("skipped: another janitor is running\n");
    return 0;
  }
  std::printf("authorization_codes %zu\n", counts->authorization_codes);
  std::printf("refresh_tokens %zu\n", counts->refresh_tokens);
  std::printf("revoked_access_tokens %zu\n", counts->revoked_access_tokens);
  std::printf("grants %zu\n", counts->grants);
  std::printf("browser_sessions %zu\n", counts->browser_sessions);
  std::printf("login_throttle %zu\n", counts->login_throttle);
  std::printf("account_links %zu\n", counts->account_links);
  std::printf("mail_requests %zu\n", counts->mail_requests);
  std::printf("mail_outbox %zu\n", counts->mail_outbox);
  std::printf("registration_tokens %zu\n", counts->registration_tokens);
  std::printf("federation_flows %zu\n", counts->federation_flows);
  std::printf("events %zu\n", counts->events);
  std::printf("total %zu\n", counts->total());
  return 0;
}

}  // namespace keyward::cli
