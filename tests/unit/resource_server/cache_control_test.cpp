// RFC 9111 §5.2 directives that decide a JWKS lifetime.
#include <gtest/gtest.h>

#include "resource_server/cache_control.h"

namespace keyward::test {
namespace {

using namespace std::chrono_literals;

TEST(CacheControl, Rfc9111_5_2_2_1_MaxAge) {
  struct Row {
    std::string_view value;
    std::optional<std::chrono::seconds> max_age;
    bool no_store;
    bool no_cache;
  };
  for (const Row& row : {
           Row{"public, max-age=300", 300s, false, false},
           Row{"max-age=0", 0s, false, false},
           Row{"Max-Age=60", 60s, false, false},
           Row{"max-age=\"60\"", 60s, false, false},
           Row{" max-age = 60 ", 60s, false, false},
           Row{"max-age=99999999999999", std::chrono::seconds(int64_t{1} << 31), false, false},
           Row{"max-age=-1", std::nullopt, false, false},
           Row{"max-age=1.5", std::nullopt, false, false},
           Row{"max-age=", std::nullopt, false, false},
           Row{"max-age=10, max-age=20", std::nullopt, false, false},
           Row{"no-store", std::nullopt, true, false},
           Row{"no-cache, max-age=60", 60s, false, true},
           Row{"", std::nullopt, false, false},
           Row{"s-maxage=60", std::nullopt, false, false},
       }) {
    const auto d = rs::parse_cache_control(row.value);
    EXPECT_EQ(d.max_age, row.max_age) << row.value;
    EXPECT_EQ(d.no_store, row.no_store) << row.value;
    EXPECT_EQ(d.no_cache, row.no_cache) << row.value;
  }
}

}  // namespace
}  // namespace keyward::test
