#include "storage/detail/statements.h"

namespace keyward::storage::detail {

const std::vector<PreparedStatement>& all_statements() {
  static const std::vector<PreparedStatement> statements = [] {
    std::vector<PreparedStatement> all;
    // Add each new repository's list here.
    for (auto list :
         {key_repository_statements(), client_repository_statements(), user_repository_statements(),
          throttle_repository_statements(), grant_repository_statements(),
          refresh_token_repository_statements(), revocation_repository_statements(),
          janitor_statements(), code_repository_statements(), session_repository_statements(),
          consent_repository_statements(), account_repository_statements(),
          mail_outbox_repository_statements(), account_link_repository_statements(),
          mail_request_repository_statements(), identity_provider_repository_statements(),
          federated_identity_repository_statements(), federation_flow_repository_statements(),
          // Dynamic client registration (migration 0010).
          registration_token_repository_statements(), dynamic_client_repository_statements(),
          // Audit events (migration 0011).
          event_repository_statements()})
      all.insert(all.end(), list.begin(), list.end());
    return all;
  }();
  return statements;
}

}  // namespace keyward::storage::detail
