#pragma once
// Paging for lists an operator reads (clients, users): at most `limit` items after an
// opaque cursor, and the cursor of the next page when there is one. The cursor is the
// base64url of the last item's sort key, so a page stays right when items before it are
// added or deleted (keyset paging, not offsets).
#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "operations/operation_error.h"

namespace keyward::operations {

inline constexpr size_t kDefaultPageLimit = 50;
inline constexpr size_t kMaxPageLimit = 200;

struct PageRequest {
  size_t limit = kDefaultPageLimit;  // 1..kMaxPageLimit
  std::optional<std::string> cursor;
};

template <class T>
struct Page {
  std::vector<T> items;
  std::optional<std::string> next_cursor;  // absent on the last page
};

[[nodiscard]] std::string encode_cursor(const std::string& sort_key);
// The sort key, or Invalid ("cursor") for a cursor this server did not issue.
[[nodiscard]] Result<std::string, OperationError> decode_cursor(const std::string& cursor);

// `items`, each with its unique sort key (byte order), cut into the requested page.
template <class T, class Key>
[[nodiscard]] Result<Page<T>, OperationError> page_of(std::vector<T> items, Key sort_key,
                                                      const PageRequest& request) {
  if (request.limit < 1 || request.limit > kMaxPageLimit) {
    return err(OperationError::invalid(
        "limit must be between 1 and " + std::to_string(kMaxPageLimit), "limit"));
  }
  std::optional<std::string> after;
  if (request.cursor) {
    auto key = decode_cursor(*request.cursor);
    if (!key.ok()) return err(key.error());
    after = std::move(key).value();
  }
  std::sort(items.begin(), items.end(),
            [&](const T& a, const T& b) { return sort_key(a) < sort_key(b); });
  Page<T> page;
  for (auto& item : items) {
    if (after && !(sort_key(item) > *after)) continue;
    if (page.items.size() == request.limit) {
      page.next_cursor = encode_cursor(sort_key(page.items.back()));
      break;
    }
    page.items.push_back(std::move(item));
  }
  return page;
}

}  // namespace keyward::operations
