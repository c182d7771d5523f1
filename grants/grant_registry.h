#pragma once
// grant_type → handler (STYLE.md §7.2): a map lookup, never a chain of handlers that may
// each act on a request. Filled at start-up by server/compose.cpp with the grants this
// deployment enables; read-only afterwards, so lookups need no lock. It also feeds
// discovery's grant_types_supported.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "grants/grant_handler.h"

namespace keyward::grants {

class GrantRegistry {
 public:
  // Takes ownership; a second handler for the same grant_type is a programming error
  // (std::logic_error).
  void add(std::unique_ptr<GrantHandler> handler);

  // nullptr when no handler serves grant_type (the endpoint answers unsupported_grant_type).
  [[nodiscard]] GrantHandler* find(std::string_view grant_type) const;

  // The registered grant types, in registration order.
  [[nodiscard]] std::vector<std::string> grant_types() const;

 private:
  std::vector<std::unique_ptr<GrantHandler>> handlers_;
};

}  // namespace keyward::grants
