#pragma once
// What an operator does to registered clients (`keyward client …`, /admin/v1/clients):
// the registration rules (grants/client_registration.h), id and secret generation, the
// store, and telling every running instance to drop the client from its cache.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "grants/client_registration.h"
#include "operations/actor.h"
#include "operations/operation_error.h"
#include "operations/page.h"
#include "storage/client_repository.h"
#include "storage/database.h"

namespace keyward::operations {

// A change is stored; `warning` says when not every running instance confirmed it
// ("the change is stored but …; they pick it up within a minute").
template <class T>
struct Changed {
  T value;
  std::optional<std::string> warning;
};

struct ClientFilter {
  std::optional<std::string> name_contains;  // case-insensitive substring of the name
  std::optional<std::string> grant_type;     // clients allowed this grant type
};

struct CreatedClient {
  storage::ClientRecord client;
  std::optional<std::string> secret;  // confidential clients: shown this once
};

// Which settings of an existing client may change (the rest would change what tokens
// and redirects already issued mean: delete and re-create instead).
struct ClientUpdate {
  std::optional<bool> first_party;
  std::optional<bool> may_introspect;
};

// The client as both front ends show it (never its secret or its HMAC).
[[nodiscard]] nlohmann::ordered_json describe_client(const storage::ClientRecord& client);

class ClientOperations {
 public:
  // `database_url` is for the announcement's LISTEN/NOTIFY connection. Every change is
  // reported to `events` (client_created, client_changed, client_deleted) as done by
  // `actor`.
  ClientOperations(storage::Database& database, std::string database_url, audit::EventSink& events,
                   Actor actor, std::chrono::seconds announcement_wait = std::chrono::seconds(5));

  // The same operations, reported as done by `actor` (an admin API request).
  [[nodiscard]] ClientOperations acting(Actor actor) const;

  // The registration's problem, Invalid, or nothing: for a front end that checks before
  // it asks for anything else (the CLI before it opens the database).
  [[nodiscard]] static Result<grants::Client, OperationError> check(
      const grants::ClientRegistration& registration);

  [[nodiscard]] Result<std::vector<storage::ClientRecord>, OperationError> list();
  // By creation time, then id.
  [[nodiscard]] Result<Page<storage::ClientRecord>, OperationError> list_page(
      const ClientFilter& filter, const PageRequest& page);
  [[nodiscard]] Result<storage::ClientRecord, OperationError> show(const std::string& client_id);

  // A confidential client needs `secret_key` (grants::client_secret_key of the master key).
  [[nodiscard]] Result<Changed<CreatedClient>, OperationError> create(
      const grants::ClientRegistration& registration, const std::optional<std::string>& secret_key);
  [[nodiscard]] Result<Changed<storage::ClientRecord>, OperationError> update(
      const std::string& client_id, const ClientUpdate& update);
  // Conflict for a public client. The old secret stops working at once.
  [[nodiscard]] Result<Changed<std::string>, OperationError> rotate_secret(
      const std::string& client_id, const std::string& secret_key);
  // Deletes the client with its grants, codes, refresh tokens and consents.
  [[nodiscard]] Result<Changed<Unit>, OperationError> remove(const std::string& client_id);

 private:
  std::optional<std::string> announce(const std::string& client_id);

  storage::Database& database_;
  std::string database_url_;
  audit::EventSink* events_;
  Actor actor_;
  std::chrono::seconds announcement_wait_;
};

}  // namespace keyward::operations
