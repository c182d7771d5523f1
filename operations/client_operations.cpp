#include "operations/client_operations.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/text.h"
#include "grants/client_announcement.h"
#include "grants/client_secret.h"
#include "grants/scope.h"

namespace keyward::operations {

namespace {

// 128 random bits, base64url: unguessable, though not a secret (RFC 6749 §2.2). Never
// starting with '-' or '_', so the id can follow a command (`client show ID`) without
// being read as an option, and survives double-click selection.
std::string new_client_id() {
  for (;;) {
    std::string id = random_token(16);
    if (std::isalnum(static_cast<unsigned char>(id.front()))) return id;
  }
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Creation time (zero-padded microseconds) then id: the order `keyward client list` shows.
std::string sort_key(const storage::ClientRecord& c) {
  char micros[24];
  std::snprintf(micros, sizeof micros, "%020lld",
                static_cast<long long>(std::chrono::duration_cast<std::chrono::microseconds>(
                                           c.created_at.time_since_epoch())
                                           .count()));
  return std::string(micros) + ":" + c.client_id;
}

std::string no_such_client(const std::string& client_id) {
  return "no client '" + client_id + "'";
}

}  // namespace

nlohmann::ordered_json describe_client(const storage::ClientRecord& c) {
  nlohmann::ordered_json j;
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

ClientOperations::ClientOperations(storage::Database& database, std::string database_url,
                                   audit::EventSink& events, Actor actor,
                                   std::chrono::seconds announcement_wait)
    : database_(database),
      database_url_(std::move(database_url)),
      events_(&events),
      actor_(std::move(actor)),
      announcement_wait_(announcement_wait) {}

ClientOperations ClientOperations::acting(Actor actor) const {
  ClientOperations copy = *this;
  copy.actor_ = std::move(actor);
  return copy;
}

Result<grants::Client, OperationError> ClientOperations::check(
    const grants::ClientRegistration& registration) {
  auto client = grants::validate_client_registration(registration);
  if (!client.ok()) return err(OperationError::invalid(client.error().description));
  return std::move(client).value();
}

Result<std::vector<storage::ClientRecord>, OperationError> ClientOperations::list() {
  storage::ClientRepository repository(database_);
  auto listed = repository.list();
  if (!listed.ok()) return err(OperationError::from_storage(listed.error()));
  return std::move(listed).value();
}

Result<Page<storage::ClientRecord>, OperationError> ClientOperations::list_page(
    const ClientFilter& filter, const PageRequest& page) {
  auto listed = list();
  if (!listed.ok()) return err(listed.error());
  std::vector<storage::ClientRecord> kept;
  const std::string needle = filter.name_contains ? lower(*filter.name_contains) : "";
  for (auto& c : *listed) {
    if (filter.name_contains && lower(c.name).find(needle) == std::string::npos) continue;
    if (filter.grant_type && std::find(c.grant_types.begin(), c.grant_types.end(),
                                       *filter.grant_type) == c.grant_types.end()) {
      continue;
    }
    kept.push_back(std::move(c));
  }
  return page_of(std::move(kept), sort_key, page);
}

Result<storage::ClientRecord, OperationError> ClientOperations::show(const std::string& client_id) {
  storage::ClientRepository repository(database_);
  auto found = repository.find(client_id);
  if (!found.ok()) return err(OperationError::from_storage(found.error()));
  if (!found->has_value()) return err(OperationError::not_found(no_such_client(client_id)));
  return std::move(**found);
}

Result<Changed<CreatedClient>, OperationError> ClientOperations::create(
    const grants::ClientRegistration& registration, const std::optional<std::string>& secret_key) {
  auto client = check(registration);
  if (!client.ok()) return err(client.error());
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
  CreatedClient created;
  if (record.confidential) {
    if (!secret_key)
      return err(OperationError{OperationErrorKind::Failed, "no secret key", {}, {}});
    auto secret = grants::generate_client_secret(*secret_key);
    record.secret_hmac = secret.hmac;
    created.secret = std::move(secret.secret);
  }
  storage::ClientRepository repository(database_);
  auto inserted = repository.insert(record);
  if (!inserted.ok()) return err(OperationError::from_storage(inserted.error()));
  created.client = std::move(inserted).value();
  report(*events_, actor_, audit::EventType::ClientCreated, "", created.client.client_id,
         {{"name", created.client.name},
          {"confidential", created.client.confidential},
          {"grant_types", created.client.grant_types}});
  auto warning = announce(created.client.client_id);
  return Changed<CreatedClient>{std::move(created), std::move(warning)};
}

// Checked before anything is written, so a refused change stores nothing; the two settings
// are two statements, and a failure between them still announces (and audits) the first.
Result<Changed<storage::ClientRecord>, OperationError> ClientOperations::update(
    const std::string& client_id, const ClientUpdate& update) {
  auto current = show(client_id);
  if (!current.ok()) return err(current.error());
  if (update.may_introspect.value_or(false) && !current->confidential) {
    return err(OperationError::invalid(
        "client '" + client_id + "' is public: only a confidential client can introspect",
        "may_introspect"));
  }
  storage::ClientRepository repository(database_);
  std::vector<std::string> fields;  // the fields written so far
  // A later write failing does not undo an earlier one: what was stored is still announced
  // and recorded in the audit trail.
  const auto failed =
      [&](OperationError error) -> Result<Changed<storage::ClientRecord>, OperationError> {
    if (!fields.empty()) {
      report(*events_, actor_, audit::EventType::ClientChanged, "", client_id,
             {{"fields", fields}});
      (void)announce(client_id);
    }
    return err(std::move(error));
  };
  if (update.first_party) {
    auto updated = repository.set_first_party(client_id, *update.first_party);
    if (!updated.ok()) return failed(OperationError::from_storage(updated.error()));
    if (!*updated) return failed(OperationError::not_found(no_such_client(client_id)));
    fields.emplace_back("first_party");
  }
  if (update.may_introspect) {
    auto updated = repository.set_may_introspect(client_id, *update.may_introspect);
    if (!updated.ok() && updated.error().code == storage::StorageErrorCode::CheckViolation) {
      return failed(OperationError::invalid(
          "client '" + client_id + "' is public: only a confidential client can introspect",
          "may_introspect"));
    }
    if (!updated.ok()) return failed(OperationError::from_storage(updated.error()));
    if (!*updated) return failed(OperationError::not_found(no_such_client(client_id)));
    fields.emplace_back("may_introspect");
  }
  if (!fields.empty()) {
    report(*events_, actor_, audit::EventType::ClientChanged, "", client_id, {{"fields", fields}});
  }
  auto warning = announce(client_id);
  auto found = show(client_id);
  if (!found.ok()) return err(found.error());
  return Changed<storage::ClientRecord>{std::move(found).value(), std::move(warning)};
}

Result<Changed<std::string>, OperationError> ClientOperations::rotate_secret(
    const std::string& client_id, const std::string& secret_key) {
  auto client = show(client_id);
  if (!client.ok()) return err(client.error());
  if (!client->confidential) {
    return err(OperationError::conflict("client '" + client_id +
                                        "' is public: it has no secret to rotate"));
  }
  auto secret = grants::generate_client_secret(secret_key);
  storage::ClientRepository repository(database_);
  auto updated = repository.update_secret(client_id, secret.hmac);
  if (!updated.ok()) return err(OperationError::from_storage(updated.error()));
  if (!*updated) return err(OperationError::not_found(no_such_client(client_id)));
  report(*events_, actor_, audit::EventType::ClientChanged, "", client_id,
         {{"fields", nlohmann::json::array({"client_secret"})}});
  auto warning = announce(client_id);
  return Changed<std::string>{std::move(secret.secret), std::move(warning)};
}

Result<Changed<Unit>, OperationError> ClientOperations::remove(const std::string& client_id) {
  storage::ClientRepository repository(database_);
  auto removed = repository.remove(client_id);
  if (!removed.ok()) return err(OperationError::from_storage(removed.error()));
  if (!*removed) return err(OperationError::not_found(no_such_client(client_id)));
  report(*events_, actor_, audit::EventType::ClientDeleted, "", client_id);
  auto warning = announce(client_id);
  return Changed<Unit>{Unit{}, std::move(warning)};
}

// Tells the running servers and waits (a few seconds at most) until each has dropped the
// client from its cache, so a rotated secret or a deleted client is refused everywhere
// once the operation returns. An instance that does not confirm in time (it is stopping,
// or its listener is reconnecting) picks the change up within a minute: a warning, not a
// failure, since the change itself is stored.
std::optional<std::string> ClientOperations::announce(const std::string& client_id) {
  auto announced =
      grants::announce_client_change(database_, database_url_, client_id, announcement_wait_);
  if (!announced.ok()) {
    return "the change is stored but running servers were not told (" + announced.error() +
           "); they pick it up within a minute";
  }
  if (announced->confirmed < announced->listening) {
    return "the change is stored but only " + std::to_string(announced->confirmed) + " of " +
           std::to_string(announced->listening) +
           " running servers confirmed it; the others pick it up within a minute";
  }
  return std::nullopt;
}

}  // namespace keyward::operations
