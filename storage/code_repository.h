#pragma once
// Authorization codes (RFC 6749 §4.1.2; migrations/0001_initial.sql `authorization_codes`):
// 256 random bits handed to the client, stored only as their SHA-256 digest, single use,
// short-lived (at most 60 s), and bound to the client, the redirect URI, the PKCE
// challenge (RFC 7636), the nonce and the browser session. Each code belongs to the grant
// created with it, so a replay can revoke everything issued from it.
//
// Consumption is one UPDATE ... WHERE consumed_at IS NULL RETURNING: of two concurrent
// redemptions the row lock serialises them and the second re-checks consumed_at, finds
// it set and updates nothing, so exactly one wins (STYLE.md §7.2).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "storage/database.h"
#include "storage/grant_repository.h"
#include "storage/storage_error.h"

namespace keyward::storage {

struct NewCode {
  std::string code_hash;  // SHA-256 of the code, 32 bytes
  std::string redirect_uri;
  // RFC 7636 §4.2 S256 challenge (43 base64url characters); nullopt when the request had
  // none (a confidential client may omit PKCE).
  std::optional<std::string> code_challenge;
  std::optional<std::string> nonce;  // OIDC Core §3.1.2.1, carried into the ID token
  TimePoint auth_time;               // when the user last signed in to the browser
  std::string amr = "pwd";           // how: "pwd" or "fed" (session_repository.h kAmr*)
  TimePoint expires_at;
};

// A code as its redemption sees it. The grant's client, user, session and scopes are the
// code's.
struct CodeRecord {
  std::string grant_id;
  std::string client_id;
  std::string user_id;
  std::string redirect_uri;
  std::optional<std::string> code_challenge;
  std::optional<std::string> nonce;
  std::vector<std::string> scopes;
  std::optional<std::string> session_id_hash;
  TimePoint auth_time;
  std::string amr;             // "pwd" or "fed"; codes made before 0009 read as "pwd"
  TimePoint grant_expires_at;  // bounds every token issued from the code
};

struct CodeConsumption {
  enum class Outcome {
    Consumed,         // `code` is the code; it can never be consumed again
    NotFound,         // no such code (or its grant, client or user was deleted)
    WrongClient,      // issued to another client: nothing changed
    AlreadyConsumed,  // a replay: the grant is now revoked (grant_revoked: by this call)
    Expired,          // past its expires_at
    GrantInactive,    // its grant was revoked (logout, an admin) or expired
    UserDisabled,     // its user is disabled
  };
  Outcome outcome = Outcome::NotFound;
  std::optional<CodeRecord> code;  // set when Consumed, and for AlreadyConsumed
  bool grant_revoked = false;
};

class CodeRepository {
 public:
  explicit CodeRepository(Database& database);

  // The grant (with its user and browser session) and its code, in one statement: both
  // or neither. ForeignKeyViolation when the client, user or session is gone.
  [[nodiscard]] Result<Unit, StorageError> create_with_grant(const NewGrant& grant,
                                                             const NewCode& code);

  // Consumes the code with digest `code_hash` for `client_id` if it is unconsumed,
  // unexpired, its grant live and its user enabled. A second presentation by its own
  // client (a replay, RFC 6749 §4.1.2: "the authorization server MUST deny the request
  // and SHOULD revoke (when possible) all tokens previously issued based on that
  // authorization code") revokes the grant.
  [[nodiscard]] Result<CodeConsumption, StorageError> consume(std::string_view code_hash,
                                                              std::string_view client_id,
                                                              TimePoint now);

 private:
  detail::Pool& pool_;
};

}  // namespace keyward::storage
