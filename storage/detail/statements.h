#pragma once
// Every prepared statement of every repository, prepared once on each new connection
// (DESIGN.md "libpqxx 6.4"; cgimap prepared lazily inside each method, which STYLE.md
// §7.6 asks us not to copy). A typo in any statement fails the first connection, so the
// integration tests catch it.
#include <span>
#include <string_view>
#include <vector>

namespace keyward::storage::detail {

struct PreparedStatement {
  std::string_view name;
  std::string_view sql;
};

// One function per repository, defined next to the code that uses the statements.
[[nodiscard]] std::span<const PreparedStatement> key_repository_statements();
[[nodiscard]] std::span<const PreparedStatement> federated_identity_repository_statements();
[[nodiscard]] std::span<const PreparedStatement> federation_flow_repository_statements();
[[nodiscard]] std::span<const PreparedStatement> client_repository_statements();
[[nodiscard]] std::span<const PreparedStatement> user_repository_statements();
[[nodiscard]] std::span<const PreparedStatement> throttle_repository_statements();
[[nodiscard]] std::span<const PreparedStatement> grant_repository_statements();
[[nodiscard]] std::span<const PreparedStatement> refresh_token_repository_statements();
[[nodiscard]] std::span<const PreparedStatement> revocation_repository_statements();
[[nodiscard]] std::span<const PreparedStatement> janitor_statements();
[[nodiscard]] std::span<const PreparedStatement> code_repository_statements();
[[nodiscard]] std::span<const PreparedStatement> session_repository_statements();
[[nodiscard]] std::span<const PreparedStatement> consent_repository_statements();
[[nodiscard]] std::span<const PreparedStatement> account_repository_statements();
[[nodiscard]] std::span<const PreparedStatement> mail_outbox_repository_statements();
[[nodiscard]] std::span<const PreparedStatement> account_link_repository_statements();
[[nodiscard]] std::span<const PreparedStatement> mail_request_repository_statements();
[[nodiscard]] std::span<const PreparedStatement> identity_provider_repository_statements();
[[nodiscard]] std::span<const PreparedStatement> registration_token_repository_statements();
[[nodiscard]] std::span<const PreparedStatement> dynamic_client_repository_statements();
[[nodiscard]] std::span<const PreparedStatement> event_repository_statements();

// All of the above, in one list.
[[nodiscard]] const std::vector<PreparedStatement>& all_statements();

}  // namespace keyward::storage::detail
