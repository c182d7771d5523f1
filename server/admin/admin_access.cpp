#include "server/admin/admin_access.h"

#include <algorithm>

#include "grants/access_token_verification.h"
#include "grants/wire.h"

namespace keyward::server::admin {

namespace wire = grants::wire;

std::string_view part_scope(AdminPart part) {
  switch (part) {
    case AdminPart::Clients:
      return "keyward:admin:clients";
    case AdminPart::Users:
      return "keyward:admin:users";
    case AdminPart::Keys:
      return "keyward:admin:keys";
    case AdminPart::Events:
      return "keyward:admin:events";
    case AdminPart::Status:
      break;
  }
  return kAdminScope;
}

std::string admin_audience(std::string_view issuer) {
  return std::string(issuer) + "/admin";
}

AdminAccess::AdminAccess(const grants::SigningKeys& keys,
                         storage::RevocationRepository& revocations, const Clock& clock,
                         std::string issuer)
    : keys_(keys),
      revocations_(revocations),
      clock_(clock),
      issuer_(std::move(issuer)),
      audience_(admin_audience(issuer_)) {}

Result<AdminCaller, AccessProblem> AdminAccess::authenticate(std::string_view token) const {
  const TimePoint now = clock_.now();
  const auto invalid = [](std::string detail) {
    return AccessProblem{AccessRefusal::InvalidToken, std::move(detail)};
  };
  auto jwt =
      grants::verify_own_access_token(token, keys_, issuer_, grants::Audiences{{audience_}}, now);
  if (!jwt) {
    return err(invalid("the access token is invalid, expired, or not issued for " + audience_));
  }
  const auto& claims = jwt->claims();
  const auto& sub = claims[wire::kSub].get_ref<const std::string&>();
  const auto& client_id = claims[wire::kClientId].get_ref<const std::string&>();
  // A token a user granted to a client acts for the user: the admin API is for a client
  // acting on its own behalf (the client-credentials grant).
  if (sub != client_id) {
    return err(invalid("the admin API takes client-credentials tokens only"));
  }
  auto active =
      revocations_.access_token_active(claims[wire::kGid].get_ref<const std::string&>(),
                                       claims[wire::kJti].get_ref<const std::string&>(), now);
  if (!active.ok()) {
    return err(AccessProblem{AccessRefusal::Unavailable, "the token cannot be checked now"});
  }
  if (!*active) return err(invalid("the access token is revoked"));
  auto scopes = grants::parse_scope(claims[wire::kScope].get_ref<const std::string&>());
  return AdminCaller{client_id, scopes ? std::move(*scopes) : grants::ScopeSet{}};
}

bool AdminAccess::allows(const AdminCaller& caller, AdminPart part) {
  if (caller.scopes.count(std::string(kAdminScope)) > 0) return true;
  if (part == AdminPart::Status) {
    for (const auto& s : caller.scopes) {
      if (s.rfind(std::string(kAdminScope) + ":", 0) == 0) return true;
    }
    return false;
  }
  return caller.scopes.count(std::string(part_scope(part))) > 0;
}

bool AdminAccess::may_manage(const AdminCaller& caller, const std::vector<std::string>& scopes,
                             const std::vector<std::string>& audiences) const {
  if (caller.scopes.count(std::string(kAdminScope)) > 0) return true;
  const bool admin_scope = std::any_of(scopes.begin(), scopes.end(),
                                       [](const auto& s) { return grants::is_admin_scope(s); });
  const bool admin_audience =
      std::find(audiences.begin(), audiences.end(), audience_) != audiences.end();
  return !admin_scope && !admin_audience;
}

}  // namespace keyward::server::admin
