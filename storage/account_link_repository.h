#pragma once
// Single-use links sent by e-mail (migrations/0008_accounts.sql `account_links`): e-mail
// verification and password reset. Only the SHA-256 digest of the 256-bit token is
// stored, so a stolen table opens nothing; a link is deleted when it is used, and the
// janitor deletes expired ones.
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "storage/database.h"
#include "storage/storage_error.h"

namespace keyward::storage {

inline constexpr std::string_view kVerifyEmailPurpose = "verify_email";
inline constexpr std::string_view kResetPasswordPurpose = "reset_password";

struct NewAccountLink {
  std::string token_hash;  // SHA-256 of the token, 32 bytes
  std::string purpose;     // kVerifyEmailPurpose or kResetPasswordPurpose
  std::string user_id;
  std::optional<std::string> email;  // the address a verification link proves; else nullopt
  TimePoint created_at;
  TimePoint expires_at;
};

struct AccountLinkRecord {
  std::string user_id;
  std::string purpose;
  std::optional<std::string> email;
  TimePoint created_at;
  TimePoint expires_at;
};

class AccountLinkRepository {
 public:
  explicit AccountLinkRepository(Database& database);

  [[nodiscard]] Result<Unit, StorageError> create(const NewAccountLink& link);
  // Creates a link after deleting the user's earlier links of the same purpose, in one
  // transaction: only the newest reset link works.
  [[nodiscard]] Result<Unit, StorageError> replace(const NewAccountLink& link);

  // The link of `purpose` with this digest if it is live at `now` (not expired); nullopt
  // for an unknown, used, expired or other-purpose link. Reads only: a GET never uses it.
  [[nodiscard]] Result<std::optional<AccountLinkRecord>, StorageError> find_live(
      std::string_view token_hash, std::string_view purpose, TimePoint now);

  // Uses the link: deletes it and returns it if it was live at `now`; nullopt otherwise
  // (two concurrent uses: exactly one gets it).
  [[nodiscard]] Result<std::optional<AccountLinkRecord>, StorageError> consume(
      std::string_view token_hash, std::string_view purpose, TimePoint now);

  // Uses a verification link and marks the user's e-mail verified if the user's address
  // is still the one the link was sent to, in one transaction. nullopt: no live link;
  // false: the link was used up but the address has changed since (nothing verified).
  [[nodiscard]] Result<std::optional<bool>, StorageError> consume_verification(
      std::string_view token_hash, TimePoint now);

  // Deletes the user's links of `purpose`; returns how many.
  [[nodiscard]] Result<std::size_t, StorageError> delete_for_user(std::string_view user_id,
                                                                  std::string_view purpose);

 private:
  detail::Pool& pool_;
};

}  // namespace keyward::storage
