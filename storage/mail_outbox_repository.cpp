#include "storage/mail_outbox_repository.h"

#include <array>

#include "storage/detail/pool.h"
#include "storage/detail/rows.h"
#include "storage/detail/sql_time.h"
#include "storage/detail/statements.h"

namespace keyward::storage {
namespace {

using detail::to_micros;

// clang-format off
constexpr std::array kStatements{
    detail::PreparedStatement{
        "outbox_enqueue",
        "INSERT INTO mail_outbox (kind, recipient, subject, text_body, html_body,"
        " next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, " SQL_TS(6) ", " SQL_TS(6) ")"},
    // SKIP LOCKED: two instances claiming at once take different mails; the lease (the new
    // next_attempt_at) keeps a claimed mail from every later claim until it is sent,
    // rescheduled, or its sender died and the lease ran out.
    detail::PreparedStatement{
        "outbox_claim",
        "UPDATE mail_outbox SET next_attempt_at = " SQL_TS(2) " WHERE id IN ("
        " SELECT id FROM mail_outbox WHERE next_attempt_at <= " SQL_TS(1)
        " ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)"
        " RETURNING id, kind, recipient, subject, text_body, html_body, attempts, "
        SQL_MICROS("created_at")},
    detail::PreparedStatement{"outbox_remove", "DELETE FROM mail_outbox WHERE id = $1"},
    detail::PreparedStatement{
        "outbox_reschedule",
        "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $2,"
        " next_attempt_at = " SQL_TS(3) " WHERE id = $1"},
    detail::PreparedStatement{"outbox_pending", "SELECT count(*) FROM mail_outbox"},
};
// clang-format on

OutgoingMail read_mail(const pqxx::row& row) {
  OutgoingMail mail;
  mail.id = row[0].as<int64_t>();
  mail.kind = row[1].as<std::string>();
  mail.recipient = row[2].as<std::string>();
  mail.subject = row[3].as<std::string>();
  mail.text_body = row[4].as<std::string>();
  mail.html_body = row[5].as<std::string>();
  mail.attempts = row[6].as<int>();
  mail.created_at = detail::from_micros(row[7].as<int64_t>());
  return mail;
}

}  // namespace

namespace detail {
std::span<const PreparedStatement> mail_outbox_repository_statements() {
  return kStatements;
}
}  // namespace detail

MailOutboxRepository::MailOutboxRepository(Database& database) : pool_(database.pool()) {}

Result<Unit, StorageError> MailOutboxRepository::enqueue(const NewOutgoingMail& mail,
                                                         TimePoint now) {
  return pool_.run([&](pqxx::nontransaction& tx) {
    tx.exec_prepared("outbox_enqueue", mail.kind, mail.recipient, mail.subject, mail.text_body,
                     mail.html_body, to_micros(now));
  });
}

Result<std::vector<OutgoingMail>, StorageError> MailOutboxRepository::claim_due(
    TimePoint now, TimePoint lease_until, size_t limit) {
  return pool_.transact([&](pqxx::work& tx) {
    return detail::read_all(tx.exec_prepared("outbox_claim", to_micros(now), to_micros(lease_until),
                                             static_cast<long long>(limit)),
                            read_mail);
  });
}

Result<Unit, StorageError> MailOutboxRepository::remove(int64_t id) {
  return pool_.run([&](pqxx::nontransaction& tx) { tx.exec_prepared("outbox_remove", id); },
                   detail::Retry::OnceIfBroken);
}

Result<Unit, StorageError> MailOutboxRepository::reschedule(int64_t id, std::string_view error,
                                                            TimePoint retry_at) {
  return pool_.run(
      [&](pqxx::nontransaction& tx) {
        tx.exec_prepared("outbox_reschedule", id, std::string(error.substr(0, 500)),
                         to_micros(retry_at));
      },
      detail::Retry::OnceIfBroken);
}

Result<int64_t, StorageError> MailOutboxRepository::pending() {
  return pool_.run(
      [&](pqxx::nontransaction& tx) {
        return tx.exec_prepared1("outbox_pending")[0].as<int64_t>();
      },
      detail::Retry::OnceIfBroken);
}

}  // namespace keyward::storage
