#pragma once
// The registered upstream providers as the server uses them: read from
// storage::IdentityProviderRepository (secrets opened with the master key), each kept as one
// long-lived Upstream so its discovery document and JWKS stay cached, reloaded from storage
// at most every `reload_interval` (a provider added or removed with `keyward idp` shows on
// every instance within that time; a failed reload keeps the last list and is logged).
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "federation/upstream.h"

namespace keyward::federation {

class ProviderRegistry {
 public:
  virtual ~ProviderRegistry() = default;
  // The login page's buttons, in name order; empty when none is registered.
  [[nodiscard]] virtual std::vector<ProviderButton> buttons() = 0;
  // The provider called `name`, or nullptr when there is none (never registered, removed).
  [[nodiscard]] virtual std::shared_ptr<Upstream> find(std::string_view name) = 0;
};

}  // namespace keyward::federation
