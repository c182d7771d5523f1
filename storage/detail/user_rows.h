#pragma once
// Internal to storage/: a `users` row as a UserRecord, for every repository that reads
// whole users (user_repository.cpp, account_repository.cpp). Select USER_RECORD_COLUMNS
// and read the row with read_user_record.
#include <pqxx/pqxx>

#include "storage/detail/rows.h"
#include "storage/detail/sql_time.h"
#include "storage/user_repository.h"

// The columns read_user_record reads, in its order.
#define USER_RECORD_COLUMNS                                                            \
  "id::text, username, email, email_verified, given_name, family_name, password_hash," \
  " disabled, " SQL_MICROS("created_at") ", " SQL_MICROS("updated_at")

namespace keyward::storage::detail {

[[nodiscard]] inline UserRecord read_user_record(const pqxx::row& row) {
  UserRecord user;
  user.id = row[0].as<std::string>();
  user.username = row[1].as<std::string>();
  user.email = read_optional_text(row[2]);
  user.email_verified = row[3].as<bool>();
  user.given_name = read_optional_text(row[4]);
  user.family_name = read_optional_text(row[5]);
  user.password_hash = read_optional_text(row[6]);
  user.disabled = row[7].as<bool>();
  user.created_at = read_time(row[8]);
  user.updated_at = read_time(row[9]);
  return user;
}

}  // namespace keyward::storage::detail
