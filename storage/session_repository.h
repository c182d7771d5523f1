#pragma once
// Browser sessions (DESIGN.md "Browser flows"; migrations/0001_initial.sql
// `browser_sessions`). The cookie holds an opaque 256-bit id; this table holds only its
// SHA-256 digest, so a stolen table signs nobody in. A session row is written when a user
// signs in (nobody signed in has none: the login form's CSRF token is bound to a pre-login
// cookie instead, so anonymous visits write nothing) and is replaced by a new id and a new
// CSRF secret when a user signs in again (session fixation). It dies at its absolute
// lifetime (expires_at) or after an idle timeout (last_seen_at), whichever comes first.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "storage/database.h"
#include "storage/storage_error.h"

namespace keyward::storage {

struct NewSession {
  std::string id_hash;      // SHA-256 of the cookie value, 32 bytes
  std::string csrf_secret;  // at least 32 random bytes
  TimePoint created_at;
  TimePoint expires_at;  // the absolute lifetime
};

// Where a sign-in came from, shown on the account page's list of sessions. Stored as
// printable ASCII cut to the column limits (kMaxUserAgent, kMaxIpAddress); empty values
// are stored as NULL.
struct SessionOrigin {
  std::string user_agent;  // the User-Agent header
  std::string ip_address;  // the client's address (X-Forwarded-For from a trusted proxy)
};
inline constexpr size_t kMaxUserAgent = 512;  // migrations/0008_accounts.sql
inline constexpr size_t kMaxIpAddress = 64;

// How a session was signed in (RFC 8176 §2, migrations/0009_federation.sql): with the
// user's Keyward password, or through an upstream provider (federation).
inline constexpr std::string_view kAmrPassword = "pwd";
inline constexpr std::string_view kAmrFederated = "fed";

struct NewSignedInSession {
  std::string id_hash;  // SHA-256 of the cookie value, 32 bytes
  std::string user_id;
  std::string csrf_secret;  // at least 32 random bytes, new at sign-in
  TimePoint now;            // created_at, last_seen_at and auth_time
  TimePoint expires_at;     // the absolute lifetime
  SessionOrigin origin;
  std::string amr = std::string(kAmrPassword);  // how the user signed in
  // When the user authenticated, when that was before `now` (an upstream's auth_time).
  std::optional<TimePoint> auth_time;
};

struct SessionRecord {
  std::string id_hash;
  std::optional<std::string> user_id;  // nullopt until somebody signs in
  std::string csrf_secret;
  std::optional<TimePoint> auth_time;  // set exactly when user_id is
  // kAmrPassword or kAmrFederated; sessions signed in before 0009 (always with a password)
  // read as kAmrPassword.
  std::string amr = std::string(kAmrPassword);
  TimePoint created_at;
  TimePoint last_seen_at;
  TimePoint expires_at;
};

// The scope whose grants outlive the browser session (OIDC Core §11).
inline constexpr std::string_view kOfflineAccessScope = "offline_access";

class SessionRepository {
 public:
  explicit SessionRepository(Database& database);

  // A session nobody has signed in to yet. Kept for tests of what outlives such sessions
  // (rows written before sign-in wrote them); the server no longer creates them.
  [[nodiscard]] Result<Unit, StorageError> create(const NewSession& session);

  // A browser's first sign-in: a new signed-in session. Always true (the shape of sign_in).
  [[nodiscard]] Result<bool, StorageError> start(const NewSignedInSession& session);

  // The session if it is live at `now` (before its expires_at and seen within
  // `idle_timeout`), its last_seen_at moved to `now`; nullopt otherwise. One statement.
  [[nodiscard]] Result<std::optional<SessionRecord>, StorageError> touch(
      std::string_view id_hash, TimePoint now, std::chrono::seconds idle_timeout);

  // Signs `user_id` in: the session `old_hash` is replaced by a new one, `new_hash`, with
  // a new CSRF secret `csrf_secret` (a token minted before sign-in, perhaps by whoever
  // planted the anonymous session, must not validate after it; a form another tab
  // rendered before is refused and that tab reloads), auth_time = `auth_time` (an upstream's
  // sign-in, at most now) or now, and a fresh
  // absolute lifetime `expires_at`, the `origin` of this sign-in and how it was made (`amr`).
  // Grants the same user was given in the old session move to the new one (logout still finds
  // them); another user's grants in it are revoked as at logout (switching accounts signs the first
  // one out). One transaction. false when the old session no longer exists.
  [[nodiscard]] Result<bool, StorageError> sign_in(
      std::string_view old_hash, std::string_view new_hash, std::string_view user_id,
      std::string_view csrf_secret, TimePoint now, TimePoint expires_at,
      const SessionOrigin& origin = {}, std::string_view amr = kAmrPassword,
      std::optional<TimePoint> auth_time = std::nullopt);

  // Logout: revokes every grant given in the session except those holding
  // offline_access, and deletes the session. One transaction. Returns the user who was
  // signed in (nullopt when nobody was, or the session did not exist).
  [[nodiscard]] Result<std::optional<std::string>, StorageError> end(std::string_view id_hash,
                                                                     TimePoint now);

 private:
  detail::Pool& pool_;
};

}  // namespace keyward::storage
