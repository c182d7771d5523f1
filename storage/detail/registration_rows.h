#pragma once
// Internal to storage/: the registration_tokens columns and their reader, shared by the
// token repository and the dynamic client repository (which counts a use in the same
// transaction that stores the client).
#include <pqxx/pqxx>

#include "storage/detail/rows.h"
#include "storage/detail/sql_time.h"
#include "storage/registration_token_repository.h"

#define KEYWARD_REGISTRATION_TOKEN_COLUMNS \
  "id, " SQL_MICROS("created_at") ", " SQL_MICROS("expires_at") ", max_uses, uses"

// Not expired at $n and with a use left.
#define KEYWARD_REGISTRATION_TOKEN_USABLE(n) \
  "(expires_at IS NULL OR expires_at > " SQL_TS(n) ") AND (max_uses IS NULL OR uses < " \
  "max_uses)"

namespace keyward::storage::detail {

[[nodiscard]] inline RegistrationTokenRecord read_registration_token(const pqxx::row& row) {
  RegistrationTokenRecord record;
  record.id = row[0].as<std::string>();
  record.created_at = read_time(row[1]);
  record.expires_at = read_optional_time(row[2]);
  if (!row[3].is_null()) record.max_uses = row[3].as<int>();
  record.uses = row[4].as<int>();
  return record;
}

}  // namespace keyward::storage::detail
