#pragma once
// Upstream flows under way and pending link confirmations (migrations/0009_federation.sql
// `federation_flows`): single use and short-lived. A row is found by the SHA-256 of the
// `state` sent upstream (sign_in) or of a link token (link), and only by the browser that
// holds the binding cookie whose SHA-256 is browser_hash.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "storage/database.h"
#include "storage/storage_error.h"

namespace keyward::storage {

enum class FlowPurpose { SignIn, Link };

struct FederationFlow {
  std::string key_hash;  // SHA-256 of the state or link token, 32 bytes
  FlowPurpose purpose = FlowPurpose::SignIn;
  std::string browser_hash;  // SHA-256 of the binding cookie's value, 32 bytes
  std::string provider;
  // SignIn: what was sent upstream.
  std::optional<std::string> nonce;
  std::optional<std::string> code_verifier;
  // Link: the upstream identity waiting for the user's Keyward password, and the user.
  std::optional<std::string> subject;
  std::optional<std::string> user_id;
  std::optional<std::string> email;
  // The authorization request's parameters as a query string, or "" for the account page.
  std::string return_params;
  TimePoint created_at{};
  TimePoint expires_at{};
};

enum class FlowConsumption {
  Consumed,      // the row was live and is deleted: `flow` holds it
  NotFound,      // unknown, used already, or of the other purpose
  Expired,       // past expires_at (deleted now)
  OtherBrowser,  // the binding does not match: nothing changed
};

class FederationFlowRepository {
 public:
  explicit FederationFlowRepository(Database& database);

  // CheckViolation when a purpose's fields are missing; ForeignKeyViolation when the
  // provider (or the link's user) is gone.
  [[nodiscard]] Result<Unit, StorageError> create(const FederationFlow& flow);

  // The live row of `purpose` keyed `key_hash`, if `browser_hash` matches it (compared in
  // constant time), deleted in the same transaction: single use, whoever races. A row of
  // another browser is left as it is (a stranger cannot spoil someone's sign-in).
  struct Consumed {
    FlowConsumption outcome = FlowConsumption::NotFound;
    std::optional<FederationFlow> flow;
  };
  [[nodiscard]] Result<Consumed, StorageError> consume(std::string_view key_hash,
                                                       FlowPurpose purpose,
                                                       std::string_view browser_hash,
                                                       TimePoint now);

  // The live link row keyed `key_hash` for `browser_hash` without consuming it (the
  // confirmation page shows it before the password is typed); nullopt otherwise.
  [[nodiscard]] Result<std::optional<FederationFlow>, StorageError> peek_link(
      std::string_view key_hash, std::string_view browser_hash, TimePoint now);

  // For the janitor and tests: deletes at most `batch` expired rows; returns how many.
  [[nodiscard]] Result<std::size_t, StorageError> prune(TimePoint now, std::size_t batch);

 private:
  detail::Pool& pool_;
};

}  // namespace keyward::storage
