#include "grants/client.h"

#include <algorithm>

namespace keyward::grants {

bool Client::allows_grant(std::string_view grant_type) const {
  return std::find(grant_types.begin(), grant_types.end(), grant_type) != grant_types.end();
}

}  // namespace keyward::grants
