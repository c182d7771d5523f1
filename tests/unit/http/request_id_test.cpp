// X-Request-ID handling (http/request_id.h).
#include "http/request_id.h"

#include <gtest/gtest.h>

namespace keyward::http {
namespace {

TEST(RequestId, SaneIdsKept) {
  for (const char* id :
       {"a", "abc-DEF_012.x", "0123456789012345678901234567890123456789012345678901234567890123"}) {
    EXPECT_TRUE(is_sane_request_id(id)) << id;
    EXPECT_EQ(choose_request_id(id), id);
  }
}

TEST(RequestId, InsaneIdsReplaced) {
  const std::string too_long(65, 'a');
  for (const std::string& id : {std::string(), too_long, std::string("a b"), std::string("a\"b"),
                                std::string("a\nb"), std::string("{\"x\":1}"), std::string("é")}) {
    EXPECT_FALSE(is_sane_request_id(id)) << id;
    const std::string chosen = choose_request_id(id);
    EXPECT_NE(chosen, id);
    EXPECT_TRUE(is_sane_request_id(chosen)) << chosen;
  }
}

TEST(RequestId, FreshIdsDiffer) {
  const std::string a = choose_request_id("");
  const std::string b = choose_request_id("");
  EXPECT_NE(a, b);
  EXPECT_EQ(a.size(), 22u);  // 128 bits as base64url
}

}  // namespace
}  // namespace keyward::http
