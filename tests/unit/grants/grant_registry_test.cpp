// GrantRegistry and the shared scope rule (STYLE.md §7.2, RFC 6749 §3.3).
#include "grants/grant_registry.h"

#include <gtest/gtest.h>

#include <array>

#include "grants/wire.h"

namespace keyward::grants {
namespace {

// A grant of its own kind: the registry's contract is the same for every handler.
class EchoGrant final : public GrantHandler {
 public:
  explicit EchoGrant(std::string type) : type_(std::move(type)) {}
  [[nodiscard]] std::string_view grant_type() const override { return type_; }
  [[nodiscard]] std::span<const std::string_view> parameters() const override { return kParams; }
  [[nodiscard]] OAuthResult<TokenResponse> handle(const TokenRequest& request,
                                                  const Client&) override {
    TokenResponse r;
    r.access_token = std::string(request.param("x").value_or(""));
    return r;
  }

 private:
  static constexpr std::array<std::string_view, 1> kParams = {"x"};
  std::string type_;
};

TEST(GrantRegistry, FindsByExactGrantType) {
  GrantRegistry registry;
  registry.add(std::make_unique<EchoGrant>("client_credentials"));
  registry.add(std::make_unique<EchoGrant>("password"));
  ASSERT_NE(registry.find("password"), nullptr);
  EXPECT_EQ(registry.find("password")->grant_type(), "password");
  EXPECT_EQ(registry.find("Password"), nullptr);  // case-sensitive, like every OAuth value
  EXPECT_EQ(registry.find(""), nullptr);
  EXPECT_EQ(registry.find("authorization_code"), nullptr);
  EXPECT_EQ(registry.grant_types(), (std::vector<std::string>{"client_credentials", "password"}));
}

TEST(GrantRegistry, SecondHandlerForOneGrantTypeIsAProgrammingError) {
  GrantRegistry registry;
  registry.add(std::make_unique<EchoGrant>("password"));
  EXPECT_THROW(registry.add(std::make_unique<EchoGrant>("password")), std::logic_error);
  EXPECT_THROW(registry.add(nullptr), std::logic_error);
}

TokenRequest with_scope(std::optional<std::string> scope) {
  TokenRequest r;
  if (scope) r.params.emplace(std::string(wire::kScope), *scope);
  return r;
}

TEST(RequestedScope, Rfc6749_3_3_OmittedMeansTheClientsAllowance) {
  auto s = requested_scope(with_scope(std::nullopt), {"read", "write"});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, (ScopeSet{"read", "write"}));
}

TEST(RequestedScope, SubsetIsGranted) {
  auto s = requested_scope(with_scope("write"), {"read", "write"});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, (ScopeSet{"write"}));
}

TEST(RequestedScope, Rfc6749_5_2_BeyondTheAllowanceIsInvalidScope) {
  auto s = requested_scope(with_scope("read admin"), {"read", "write"});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::InvalidScope);
  EXPECT_EQ(s.error().description, "scope exceeds what this client may request");
}

TEST(RequestedScope, MalformedIsInvalidScope) {
  for (const std::string bad : {"read  write", " read", "read\"", "caf\xc3\xa9"}) {
    auto s = requested_scope(with_scope(bad), {"read", "write"});
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.error().code, ErrorCode::InvalidScope);
    EXPECT_EQ(s.error().description, "scope is malformed (RFC 6749 §3.3)");
  }
}

}  // namespace
}  // namespace keyward::grants
