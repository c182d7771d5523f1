#include "storage/federation_flow_repository.h"

#include <array>

#include "common/crypto.h"
#include "storage/detail/params.h"
#include "storage/detail/pool.h"
#include "storage/detail/rows.h"
#include "storage/detail/sql_time.h"
#include "storage/detail/statements.h"

namespace keyward::storage {
namespace {

using detail::NullableText;
using detail::to_micros;

// clang-format off
#define FLOW_COLUMNS \
  "key_hash, purpose, browser_hash, provider, nonce, code_verifier, subject, user_id::text," \
  " email, return_params, " SQL_MICROS("created_at") ", " SQL_MICROS("expires_at")

constexpr std::array kStatements{
    // $1 key, $2 purpose, $3 browser, $4 provider, $5 nonce, $6 verifier, $7 subject,
    // $8 user, $9 e-mail, $10 return params, $11 created, $12 expires.
    detail::PreparedStatement{
        "federation_flows_insert",
        "INSERT INTO federation_flows (key_hash, purpose, browser_hash, provider, nonce,"
        " code_verifier, subject, user_id, email, return_params, created_at, expires_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8::uuid, $9, $10, " SQL_TS(11) ", " SQL_TS(12) ")"},
    // Locks the row: a concurrent consumer waits, then finds it gone.
    detail::PreparedStatement{
        "federation_flows_lock",
        "SELECT " FLOW_COLUMNS " FROM federation_flows WHERE key_hash = $1 AND purpose = $2"
        " FOR UPDATE"},
    detail::PreparedStatement{
        "federation_flows_delete", "DELETE FROM federation_flows WHERE key_hash = $1"},
    detail::PreparedStatement{
        "federation_flows_peek",
        "SELECT " FLOW_COLUMNS " FROM federation_flows WHERE key_hash = $1 AND purpose = 'link'"
        " AND expires_at > " SQL_TS(2)},
    detail::PreparedStatement{
        "federation_flows_prune",
        "DELETE FROM federation_flows WHERE key_hash IN (SELECT key_hash FROM federation_flows"
        " WHERE expires_at <= " SQL_TS(1) " LIMIT $2)"},
};
// clang-format on

#undef FLOW_COLUMNS

std::string purpose_text(FlowPurpose purpose) {
  return purpose == FlowPurpose::Link ? "link" : "sign_in";
}

FederationFlow read_flow(const pqxx::row& row) {
  FederationFlow f;
  f.key_hash = detail::read_bytes(row[0]);
  f.purpose = row[1].as<std::string>() == "link" ? FlowPurpose::Link : FlowPurpose::SignIn;
  f.browser_hash = detail::read_bytes(row[2]);
  f.provider = row[3].as<std::string>();
  f.nonce = detail::read_optional_text(row[4]);
  f.code_verifier = detail::read_optional_text(row[5]);
  f.subject = detail::read_optional_text(row[6]);
  f.user_id = detail::read_optional_text(row[7]);
  f.email = detail::read_optional_text(row[8]);
  f.return_params = row[9].as<std::string>();
  f.created_at = detail::read_time(row[10]);
  f.expires_at = detail::read_time(row[11]);
  return f;
}

}  // namespace

namespace detail {
std::span<const PreparedStatement> federation_flow_repository_statements() {
  return kStatements;
}
}  // namespace detail

FederationFlowRepository::FederationFlowRepository(Database& database) : pool_(database.pool()) {}

Result<Unit, StorageError> FederationFlowRepository::create(const FederationFlow& f) {
  return pool_.run([&](pqxx::nontransaction& tx) {
    tx.exec_prepared("federation_flows_insert", pqxx::binarystring(f.key_hash),
                     purpose_text(f.purpose), pqxx::binarystring(f.browser_hash), f.provider,
                     NullableText(f.nonce).get(), NullableText(f.code_verifier).get(),
                     NullableText(f.subject).get(), NullableText(f.user_id).get(),
                     NullableText(f.email).get(), f.return_params, to_micros(f.created_at),
                     to_micros(f.expires_at));
  });
}

Result<FederationFlowRepository::Consumed, StorageError> FederationFlowRepository::consume(
    std::string_view key_hash, FlowPurpose purpose, std::string_view browser_hash, TimePoint now) {
  const pqxx::binarystring key{std::string(key_hash)};
  // Not retried on a broken connection: the deletion may have committed.
  return pool_.transact([&](pqxx::work& tx) {
    Consumed out;
    auto row = detail::read_first(
        tx.exec_prepared("federation_flows_lock", key, purpose_text(purpose)), read_flow);
    if (!row) return out;  // NotFound
    if (!equal_constant_time(row->browser_hash, browser_hash)) {
      out.outcome = FlowConsumption::OtherBrowser;
      return out;
    }
    tx.exec_prepared("federation_flows_delete", key);
    if (row->expires_at <= now) {
      out.outcome = FlowConsumption::Expired;
      return out;
    }
    out.outcome = FlowConsumption::Consumed;
    out.flow = std::move(row);
    return out;
  });
}

Result<std::optional<FederationFlow>, StorageError> FederationFlowRepository::peek_link(
    std::string_view key_hash, std::string_view browser_hash, TimePoint now) {
  return pool_.run(
      [&](pqxx::nontransaction& tx) -> std::optional<FederationFlow> {
        auto row = detail::read_first(
            tx.exec_prepared("federation_flows_peek", pqxx::binarystring(std::string(key_hash)),
                             to_micros(now)),
            read_flow);
        if (!row || !equal_constant_time(row->browser_hash, browser_hash)) return std::nullopt;
        return row;
      },
      detail::Retry::OnceIfBroken);
}

Result<std::size_t, StorageError> FederationFlowRepository::prune(TimePoint now,
                                                                  std::size_t batch) {
  return pool_.run([&](pqxx::nontransaction& tx) {
    return static_cast<std::size_t>(
        tx.exec_prepared("federation_flows_prune", to_micros(now), static_cast<long long>(batch))
            .affected_rows());
  });
}

}  // namespace keyward::storage
