#pragma once
// Who may use the admin API (docs/admin-api.md "Authentication"), without HTTP: a Bearer
// access token issued by this Keyward, by the client-credentials grant (sub is the client
// itself, never a user), for the admin audience `{issuer}/admin`, live (its grant and jti
// not revoked: a deleted admin client's tokens die with its grants), and carrying
// `keyward:admin` (everything) or the part's own scope (`keyward:admin:clients`, …).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "grants/scope.h"
#include "grants/signing_keys.h"
#include "storage/revocation_repository.h"

namespace keyward::server::admin {

inline constexpr std::string_view kAdminScope = "keyward:admin";

// What a route acts on; each has its own scope, and kAdminScope covers them all.
// Registration tokens are the clients part: a token registers clients. Events holds the
// audit trail and its statistics (read-only).
enum class AdminPart { Clients, Users, Keys, Events, Status };

// "keyward:admin:clients", "keyward:admin:users", "keyward:admin:keys",
// "keyward:admin:events"; the status answers to any admin scope.
[[nodiscard]] std::string_view part_scope(AdminPart part);
// The audience admin tokens must name: the issuer followed by "/admin".
[[nodiscard]] std::string admin_audience(std::string_view issuer);

struct AdminCaller {
  std::string client_id;
  grants::ScopeSet scopes;
};

enum class AccessRefusal {
  InvalidToken,       // not ours, expired, revoked, wrong audience, a user's token: 401
  InsufficientScope,  // a good token without the part's scope: 403
  Unavailable,        // the revocation check could not reach the database: 503
};

struct AccessProblem {
  AccessRefusal refusal;
  std::string detail;  // safe to send: quotes nothing from the token
};

class AdminAccess {
 public:
  AdminAccess(const grants::SigningKeys& keys, storage::RevocationRepository& revocations,
              const Clock& clock, std::string issuer);

  // The caller behind `token`, or why not.
  [[nodiscard]] Result<AdminCaller, AccessProblem> authenticate(std::string_view token) const;
  [[nodiscard]] static bool allows(const AdminCaller& caller, AdminPart part);
  // Whether `caller` may create, change, rotate the secret of or delete a client with these
  // scopes and audiences. A client with any admin scope (grants::is_admin_scope) or the
  // admin audience holds admin power, and only a caller holding kAdminScope may grant or
  // touch it: else `keyward:admin:clients` could mint itself a full-admin client.
  [[nodiscard]] bool may_manage(const AdminCaller& caller, const std::vector<std::string>& scopes,
                                const std::vector<std::string>& audiences) const;

 private:
  const grants::SigningKeys& keys_;
  storage::RevocationRepository& revocations_;
  const Clock& clock_;
  std::string issuer_;
  std::string audience_;
};

}  // namespace keyward::server::admin
