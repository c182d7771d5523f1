#include "storage/federated_identity_repository.h"

#include <array>

#include "storage/detail/params.h"
#include "storage/detail/pool.h"
#include "storage/detail/rows.h"
#include "storage/detail/sql_time.h"
#include "storage/detail/statements.h"
#include "storage/detail/user_rows.h"

namespace keyward::storage {
namespace {

using detail::NullableText;
using detail::to_micros;

// The names migrations/0009_federation.sql's constraints get from PostgreSQL.
constexpr std::string_view kIdentityKey = "federated_identities_pkey";
constexpr std::string_view kUserProviderKey = "federated_identities_user_id_provider_key";

// clang-format off
#define IDENTITY_COLUMNS \
  "f.provider, f.subject, f.user_id::text, f.email, p.button_label, " \
  SQL_MICROS("f.created_at") ", " SQL_MICROS("f.last_used_at")

constexpr std::array kStatements{
    detail::PreparedStatement{
        "federated_find",
        "SELECT " IDENTITY_COLUMNS " FROM federated_identities f"
        " JOIN identity_providers p ON p.name = f.provider"
        " WHERE f.provider = $1 AND f.subject = $2"},
    detail::PreparedStatement{
        "federated_link",
        "INSERT INTO federated_identities (provider, subject, user_id, email)"
        " VALUES ($1, $2, $3::uuid, $4)"},
    // The user half of create_user_and_link (users_insert's columns, in a transaction).
    detail::PreparedStatement{
        "federated_insert_user",
        "INSERT INTO users (username, email, given_name, family_name, email_verified)"
        " VALUES (lower($1), $2, $3, $4, $5) RETURNING " USER_RECORD_COLUMNS},
    detail::PreparedStatement{
        "federated_list",
        "SELECT " IDENTITY_COLUMNS " FROM federated_identities f"
        " JOIN identity_providers p ON p.name = f.provider"
        " WHERE f.user_id = $1::uuid ORDER BY f.provider"},
    // Serialises every unlink of the user (and tells whether they have a password).
    detail::PreparedStatement{
        "federated_lock_user",
        "SELECT password_hash IS NOT NULL FROM users WHERE id = $1::uuid FOR UPDATE"},
    // $1 user, $2 provider, $3 whether the user has a password (read under the lock).
    detail::PreparedStatement{
        "federated_unlink",
        "DELETE FROM federated_identities f WHERE f.user_id = $1::uuid AND f.provider = $2"
        " AND ($3::boolean OR EXISTS (SELECT 1 FROM federated_identities o"
        "   WHERE o.user_id = $1::uuid AND o.provider <> $2))"
        " RETURNING 1"},
    detail::PreparedStatement{
        "federated_is_linked",
        "SELECT 1 FROM federated_identities WHERE user_id = $1::uuid AND provider = $2"},
    detail::PreparedStatement{
        "federated_touch",
        "UPDATE federated_identities SET last_used_at = " SQL_TS(4) ", email = $3"
        " WHERE provider = $1 AND subject = $2"},
};
// clang-format on

#undef IDENTITY_COLUMNS

FederatedIdentity read_identity(const pqxx::row& row) {
  FederatedIdentity f;
  f.provider = row[0].as<std::string>();
  f.subject = row[1].as<std::string>();
  f.user_id = row[2].as<std::string>();
  f.email = detail::read_optional_text(row[3]);
  f.provider_label = row[4].as<std::string>();
  f.created_at = detail::read_time(row[5]);
  f.last_used_at = detail::read_time(row[6]);
  return f;
}

}  // namespace

namespace detail {
std::span<const PreparedStatement> federated_identity_repository_statements() {
  return kStatements;
}
}  // namespace detail

FederatedIdentityRepository::FederatedIdentityRepository(Database& database)
    : pool_(database.pool()) {}

Result<std::optional<FederatedIdentity>, StorageError> FederatedIdentityRepository::find(
    std::string_view provider, std::string_view subject) {
  return pool_.run(
      [&](pqxx::nontransaction& tx) {
        return detail::read_first(
            tx.exec_prepared("federated_find", std::string(provider), std::string(subject)),
            read_identity);
      },
      detail::Retry::OnceIfBroken);
}

Result<LinkOutcome, StorageError> FederatedIdentityRepository::link(
    const NewFederatedIdentity& identity) {
  auto linked = pool_.run([&](pqxx::nontransaction& tx) {
    tx.exec_prepared("federated_link", identity.provider, identity.subject, identity.user_id,
                     NullableText(identity.email).get());
  });
  if (linked.ok()) return LinkOutcome::Linked;
  const StorageError& e = linked.error();
  if (e.code == StorageErrorCode::UniqueViolation) {
    if (e.constraint == kUserProviderKey) return LinkOutcome::ProviderAlreadyLinked;
    if (e.constraint == kIdentityKey) return LinkOutcome::IdentityTaken;
  }
  if (e.code == StorageErrorCode::ForeignKeyViolation) return LinkOutcome::Gone;
  return err(e);
}

Result<CreatedAndLinked, StorageError> FederatedIdentityRepository::create_user_and_link(
    const NewUser& user, const NewFederatedIdentity& identity) {
  using Outcome = CreatedAndLinked::Outcome;
  auto created = pool_.transact([&](pqxx::work& tx) {
    UserRecord record = detail::read_user_record(
        tx.exec_prepared1("federated_insert_user", user.username, NullableText(user.email).get(),
                          NullableText(user.given_name).get(), NullableText(user.family_name).get(),
                          user.email_verified));
    tx.exec_prepared("federated_link", identity.provider, identity.subject, record.id,
                     NullableText(identity.email).get());
    return record;
  });
  if (created.ok()) return CreatedAndLinked{Outcome::Created, std::move(created).value()};
  const StorageError& e = created.error();
  if (e.code == StorageErrorCode::UniqueViolation) {
    if (e.constraint == kUsernameTaken) return CreatedAndLinked{Outcome::UsernameTaken, {}};
    if (e.constraint == kIdentityKey) return CreatedAndLinked{Outcome::IdentityTaken, {}};
  }
  if (e.code == StorageErrorCode::ForeignKeyViolation) return CreatedAndLinked{Outcome::Gone, {}};
  return err(e);
}

Result<std::vector<FederatedIdentity>, StorageError> FederatedIdentityRepository::list_for_user(
    std::string_view user_id) {
  return pool_.run(
      [&](pqxx::nontransaction& tx) {
        return detail::read_all(tx.exec_prepared("federated_list", std::string(user_id)),
                                read_identity);
      },
      detail::Retry::OnceIfBroken);
}

Result<UnlinkOutcome, StorageError> FederatedIdentityRepository::unlink(std::string_view user_id,
                                                                        std::string_view provider) {
  const std::string user(user_id);
  const std::string name(provider);
  return pool_.transact([&](pqxx::work& tx) {
    const auto locked = tx.exec_prepared("federated_lock_user", user);
    if (locked.empty()) return UnlinkOutcome::NotLinked;
    const bool has_password = locked[0][0].as<bool>();
    if (!tx.exec_prepared("federated_unlink", user, name, has_password).empty()) {
      return UnlinkOutcome::Unlinked;
    }
    return tx.exec_prepared("federated_is_linked", user, name).empty()
               ? UnlinkOutcome::NotLinked
               : UnlinkOutcome::LastWayToSignIn;
  });
}

Result<Unit, StorageError> FederatedIdentityRepository::touch(
    std::string_view provider, std::string_view subject, const std::optional<std::string>& email,
    TimePoint now) {
  return pool_.run([&](pqxx::nontransaction& tx) {
    tx.exec_prepared("federated_touch", std::string(provider), std::string(subject),
                     NullableText(email).get(), to_micros(now));
  });
}

}  // namespace keyward::storage
