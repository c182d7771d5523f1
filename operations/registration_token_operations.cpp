#include "operations/registration_token_operations.h"

namespace keyward::operations {

nlohmann::ordered_json describe_registration_token(const storage::RegistrationTokenRecord& r) {
  using nlohmann::ordered_json;
  ordered_json j;
  j["id"] = r.id;
  j["created_at"] = unix_seconds(r.created_at);
  j["expires_at"] = r.expires_at ? ordered_json(unix_seconds(*r.expires_at)) : ordered_json();
  j["max_uses"] = r.max_uses ? ordered_json(*r.max_uses) : ordered_json();
  j["uses"] = r.uses;
  return j;
}

RegistrationTokenOperations::RegistrationTokenOperations(storage::Database& database,
                                                         const Clock& clock)
    : database_(database), clock_(clock) {}

Result<std::vector<storage::RegistrationTokenRecord>, OperationError>
RegistrationTokenOperations::list() {
  storage::RegistrationTokenRepository tokens(database_);
  auto listed = tokens.list();
  if (!listed.ok()) return err(OperationError::from_storage(listed.error()));
  return std::move(listed).value();
}

Result<grants::NewRegistrationToken, OperationError> RegistrationTokenOperations::create(
    const grants::RegistrationTokenLimits& limits) {
  if (auto problem = grants::registration_token_limits_problem(limits)) {
    return err(OperationError::invalid(*problem));
  }
  storage::RegistrationTokenRepository tokens(database_);
  auto created = grants::create_registration_token(tokens, clock_, limits);
  if (!created.ok())
    return err(OperationError{OperationErrorKind::Failed, created.error(), {}, {}});
  return std::move(created).value();
}

Result<Unit, OperationError> RegistrationTokenOperations::revoke(const std::string& id) {
  storage::RegistrationTokenRepository tokens(database_);
  auto revoked = tokens.revoke(id);
  if (!revoked.ok()) return err(OperationError::from_storage(revoked.error()));
  if (!*revoked) return err(OperationError::not_found("no registration token '" + id + "'"));
  return Unit{};
}

}  // namespace keyward::operations
