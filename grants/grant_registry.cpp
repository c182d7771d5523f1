#include "grants/grant_registry.h"

#include <stdexcept>

#include "grants/wire.h"

namespace keyward::grants {

void GrantRegistry::add(std::unique_ptr<GrantHandler> handler) {
  if (!handler) throw std::logic_error("GrantRegistry::add: null handler");
  if (find(handler->grant_type()) != nullptr) {
    throw std::logic_error("GrantRegistry::add: two handlers for grant_type " +
                           std::string(handler->grant_type()));
  }
  handlers_.push_back(std::move(handler));
}

GrantHandler* GrantRegistry::find(std::string_view grant_type) const {
  // A handful of grants: a linear scan beats hashing.
  for (const auto& h : handlers_) {
    if (h->grant_type() == grant_type) return h.get();
  }
  return nullptr;
}

std::vector<std::string> GrantRegistry::grant_types() const {
  std::vector<std::string> out;
  out.reserve(handlers_.size());
  for (const auto& h : handlers_) out.emplace_back(h->grant_type());
  return out;
}

OAuthResult<ScopeSet> requested_scope(const TokenRequest& request, const ScopeSet& allowed) {
  const auto text = request.param(wire::kScope);
  if (!text) return allowed;
  auto scopes = parse_scope(*text);
  if (!scopes) {
    return err(OAuthError::invalid_scope("scope is malformed (RFC 6749 §3.3)"));
  }
  if (!is_subset(*scopes, allowed)) {
    return err(OAuthError::invalid_scope("scope exceeds what this client may request"));
  }
  return std::move(scopes).value();
}

}  // namespace keyward::grants
