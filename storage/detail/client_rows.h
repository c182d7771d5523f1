#pragma once
// Internal to storage/: the clients columns and their reader, shared by the client
// repository and the dynamic client repository (which reads clients joined with their
// registrations).
#include <pqxx/pqxx>

#include "storage/client_repository.h"
#include "storage/detail/rows.h"
#include "storage/detail/sql_time.h"
#include "storage/detail/text_array.h"

// The first 14 columns of a row read_client() reads.
#define KEYWARD_CLIENT_COLUMNS                                                           \
  "client_id, secret_hmac, name, confidential, first_party, token_endpoint_auth_method," \
  " grant_types, scopes, redirect_uris, post_logout_redirect_uris, audiences,"           \
  " " SQL_MICROS("created_at") ", " SQL_MICROS("updated_at") ", may_introspect"

namespace keyward::storage::detail {

[[nodiscard]] inline ClientRecord read_client(const pqxx::row& row) {
  ClientRecord client;
  client.client_id = row[0].as<std::string>();
  client.secret_hmac = detail::read_optional_bytes(row[1]);
  client.name = row[2].as<std::string>();
  client.confidential = row[3].as<bool>();
  client.first_party = row[4].as<bool>();
  client.token_endpoint_auth_method = row[5].as<std::string>();
  client.grant_types = detail::read_text_array(row[6]);
  client.scopes = detail::read_text_array(row[7]);
  client.redirect_uris = detail::read_text_array(row[8]);
  client.post_logout_redirect_uris = detail::read_text_array(row[9]);
  client.audiences = detail::read_text_array(row[10]);
  client.created_at = detail::read_time(row[11]);
  client.updated_at = detail::read_time(row[12]);
  client.may_introspect = row[13].as<bool>();
  return client;
}

}  // namespace keyward::storage::detail
