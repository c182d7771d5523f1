#include "grants/identifier.h"

#include "common/text.h"

namespace keyward::grants {

bool is_acceptable_identifier(std::string_view id) {
  return !id.empty() && id.size() <= kMaxIdentifierBytes && is_utf8(id) && !has_control(id);
}

}  // namespace keyward::grants
