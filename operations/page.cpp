#include "operations/page.h"

#include "common/base64url.h"

namespace keyward::operations {

namespace {
constexpr std::string_view kCursorPrefix = "k1:";  // lets the format change later
}

std::string encode_cursor(const std::string& sort_key) {
  return base64url_encode(std::string(kCursorPrefix) + sort_key);
}

Result<std::string, OperationError> decode_cursor(const std::string& cursor) {
  auto decoded = base64url_decode(cursor);
  if (!decoded || decoded->compare(0, kCursorPrefix.size(), kCursorPrefix) != 0) {
    return err(OperationError::invalid("the cursor is not one this server issued", "cursor"));
  }
  return decoded->substr(kCursorPrefix.size());
}

}  // namespace keyward::operations
