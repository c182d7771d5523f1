#include "storage/account_link_repository.h"

#include <array>

#include "storage/detail/params.h"
#include "storage/detail/pool.h"
#include "storage/detail/rows.h"
#include "storage/detail/sql_time.h"
#include "storage/detail/statements.h"

namespace keyward::storage {
namespace {

using detail::to_micros;

// clang-format off
#define LINK_COLUMNS \
  "user_id::text, purpose, email, " SQL_MICROS("created_at") ", " SQL_MICROS("expires_at")

constexpr std::array kStatements{
    detail::PreparedStatement{
        "account_links_insert",
        "INSERT INTO account_links (token_hash, purpose, user_id, email, created_at, expires_at)"
        " VALUES ($1, $2, $3::uuid, $4, " SQL_TS(5) ", " SQL_TS(6) ")"},
    detail::PreparedStatement{
        "account_links_find_live",
        "SELECT " LINK_COLUMNS " FROM account_links"
        " WHERE token_hash = $1 AND purpose = $2 AND expires_at > " SQL_TS(3)},
    detail::PreparedStatement{
        "account_links_consume",
        "DELETE FROM account_links"
        " WHERE token_hash = $1 AND purpose = $2 AND expires_at > " SQL_TS(3)
        " RETURNING " LINK_COLUMNS},
    // Verified only while the address is the one the link was sent to; the comparison is
    // exact, as the address was copied from the user's row when the link was made.
    // A disabled account is not verified (its pages are closed to it).
    detail::PreparedStatement{
        "account_links_verify_user",
        "UPDATE users SET email_verified = true, updated_at = now()"
        " WHERE id = $1::uuid AND email = $2 AND NOT disabled"},
    // Serialises replace() per user: two requests at once must not both delete (seeing
    // neither's new link) and leave two live ones.
    detail::PreparedStatement{
        "account_links_lock_user", "SELECT 1 FROM users WHERE id = $1::uuid FOR UPDATE"},
    detail::PreparedStatement{
        "account_links_delete_for_user",
        "DELETE FROM account_links WHERE user_id = $1::uuid AND purpose = $2"},
};
// clang-format on

#undef LINK_COLUMNS

AccountLinkRecord read_link(const pqxx::row& row) {
  AccountLinkRecord link;
  link.user_id = row[0].as<std::string>();
  link.purpose = row[1].as<std::string>();
  link.email = detail::read_optional_text(row[2]);
  link.created_at = detail::read_time(row[3]);
  link.expires_at = detail::read_time(row[4]);
  return link;
}

template <class Tx>
void insert(Tx& tx, const NewAccountLink& link) {
  const detail::NullableText email(link.email);
  tx.exec_prepared("account_links_insert", pqxx::binarystring(link.token_hash), link.purpose,
                   link.user_id, email.get(), to_micros(link.created_at),
                   to_micros(link.expires_at));
}

}  // namespace

namespace detail {
std::span<const PreparedStatement> account_link_repository_statements() {
  return kStatements;
}
}  // namespace detail

AccountLinkRepository::AccountLinkRepository(Database& database) : pool_(database.pool()) {}

Result<Unit, StorageError> AccountLinkRepository::create(const NewAccountLink& link) {
  return pool_.run([&](pqxx::nontransaction& tx) { insert(tx, link); });
}

Result<Unit, StorageError> AccountLinkRepository::replace(const NewAccountLink& link) {
  return pool_.transact([&](pqxx::work& tx) {
    tx.exec_prepared("account_links_lock_user", link.user_id);
    tx.exec_prepared("account_links_delete_for_user", link.user_id, link.purpose);
    insert(tx, link);
  });
}

Result<std::optional<AccountLinkRecord>, StorageError> AccountLinkRepository::find_live(
    std::string_view token_hash, std::string_view purpose, TimePoint now) {
  return pool_.run(
      [&](pqxx::nontransaction& tx) {
        return detail::read_first(
            tx.exec_prepared("account_links_find_live", pqxx::binarystring(std::string(token_hash)),
                             std::string(purpose), to_micros(now)),
            read_link);
      },
      detail::Retry::OnceIfBroken);
}

Result<std::optional<AccountLinkRecord>, StorageError> AccountLinkRepository::consume(
    std::string_view token_hash, std::string_view purpose, TimePoint now) {
  return pool_.run([&](pqxx::nontransaction& tx) {
    return detail::read_first(
        tx.exec_prepared("account_links_consume", pqxx::binarystring(std::string(token_hash)),
                         std::string(purpose), to_micros(now)),
        read_link);
  });
}

Result<std::optional<bool>, StorageError> AccountLinkRepository::consume_verification(
    std::string_view token_hash, TimePoint now) {
  return pool_.transact([&](pqxx::work& tx) -> std::optional<bool> {
    auto link = detail::read_first(
        tx.exec_prepared("account_links_consume", pqxx::binarystring(std::string(token_hash)),
                         std::string(kVerifyEmailPurpose), to_micros(now)),
        read_link);
    if (!link) return std::nullopt;
    if (!link->email) return false;
    return tx.exec_prepared("account_links_verify_user", link->user_id, *link->email)
               .affected_rows() == 1;
  });
}

Result<std::size_t, StorageError> AccountLinkRepository::delete_for_user(std::string_view user_id,
                                                                         std::string_view purpose) {
  return pool_.run([&](pqxx::nontransaction& tx) {
    return static_cast<std::size_t>(tx.exec_prepared("account_links_delete_for_user",
                                                     std::string(user_id), std::string(purpose))
                                        .affected_rows());
  });
}

}  // namespace keyward::storage
