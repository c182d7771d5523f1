#include "operations/page.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "operations/user_operations.h"

namespace keyward::operations {
namespace {

std::string key(const std::string& s) {
  return s;
}

TEST(Paging, WalksEveryItemOnceAcrossPages) {
  const std::vector<std::string> items = {"e", "a", "d", "b", "c"};
  PageRequest request{2, std::nullopt};
  std::vector<std::string> seen;
  std::vector<size_t> sizes;
  for (int i = 0; i < 10; ++i) {
    auto page = page_of(items, key, request);
    ASSERT_TRUE(page.ok());
    sizes.push_back(page->items.size());
    seen.insert(seen.end(), page->items.begin(), page->items.end());
    if (!page->next_cursor) break;
    request.cursor = page->next_cursor;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(sizes, (std::vector<size_t>{2, 2, 1}));
}

TEST(Paging, AnExactLastPageHasNoNextCursor) {
  auto page = page_of(std::vector<std::string>{"a", "b"}, key, PageRequest{2, std::nullopt});
  ASSERT_TRUE(page.ok());
  EXPECT_FALSE(page->next_cursor);
}

TEST(Paging, KeysetCursorSurvivesDeletionsBeforeIt) {
  auto first = page_of(std::vector<std::string>{"a", "b", "c", "d"}, key, PageRequest{2, {}});
  ASSERT_TRUE(first.ok());
  // "a" and "b" are deleted before the next page is read: "c" is still next.
  auto second =
      page_of(std::vector<std::string>{"c", "d"}, key, PageRequest{2, first->next_cursor});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->items, (std::vector<std::string>{"c", "d"}));
}

TEST(Paging, RefusesBadLimitsAndForeignCursors) {
  const std::vector<std::string> items = {"a"};
  for (size_t limit : {size_t{0}, kMaxPageLimit + 1}) {
    auto page = page_of(items, key, PageRequest{limit, std::nullopt});
    ASSERT_FALSE(page.ok());
    EXPECT_EQ(page.error().kind, OperationErrorKind::Invalid);
    EXPECT_EQ(page.error().field, "limit");
  }
  for (const std::string cursor : {"!!", "", "bm90LW91cnM"}) {
    auto page = page_of(items, key, PageRequest{1, cursor});
    ASSERT_FALSE(page.ok()) << cursor;
    EXPECT_EQ(page.error().field, "cursor");
  }
  EXPECT_EQ(decode_cursor(encode_cursor("x/y")).value(), "x/y");
}

TEST(UserRules, OneRuleSetForBothFrontEnds) {
  EXPECT_FALSE(new_user_problem({"alice", "alice@example.com", "Alice", std::nullopt}));
  EXPECT_EQ(new_user_problem({"", {}, {}, {}})->field, "username");
  EXPECT_EQ(new_user_problem({"a b", {}, {}, {}})->field, "username");
  EXPECT_EQ(new_user_problem({"a", "no-at-sign", {}, {}})->field, "email");
  EXPECT_EQ(new_user_problem({"a", {}, std::string(201, 'x'), {}})->field, "given_name");
  EXPECT_EQ(operator_password_problem("1234567")->field, "password");
  EXPECT_FALSE(operator_password_problem("12345678"));
  EXPECT_TRUE(operator_password_problem(std::string(1025, 'x')));
}

}  // namespace
}  // namespace keyward::operations
