#include "metrics/event_counter.h"

#include <gtest/gtest.h>

namespace keyward::metrics {
namespace {

audit::Event token(std::string grant) {
  audit::Event e;
  e.type = audit::EventType::TokenIssued;
  e.detail = {{"grant", std::move(grant)}, {"scope", "read"}};
  return e;
}

TEST(EventCounter, CountsEveryTypeAndTokensByGrant) {
  Registry r;
  EventCounter counter(r, {"client_credentials", "refresh_token"});
  counter.record(token("client_credentials"));
  counter.record(token("client_credentials"));
  counter.record(token("refresh_token"));
  counter.record(token("urn:made:up"));
  audit::Event failed;
  failed.type = audit::EventType::SignInFailed;
  counter.record(failed);
  const auto text = r.render();
  EXPECT_NE(text.find("keyward_events_total{type=\"token_issued\"} 4\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("keyward_events_total{type=\"sign_in_failed\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("keyward_events_total{type=\"key_rotated\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("keyward_tokens_issued_total{grant=\"client_credentials\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("keyward_tokens_issued_total{grant=\"refresh_token\"} 1\n"),
            std::string::npos);
  // An unknown grant name never becomes a label of its own.
  EXPECT_NE(text.find("keyward_tokens_issued_total{grant=\"other\"} 1\n"), std::string::npos);
  EXPECT_EQ(text.find("urn:made:up"), std::string::npos);
}

TEST(EventCounter, TokenEventWithoutGrantCountsAsOther) {
  Registry r;
  EventCounter counter(r, {"client_credentials"});
  audit::Event e;
  e.type = audit::EventType::TokenIssued;
  counter.record(e);
  EXPECT_NE(r.render().find("keyward_tokens_issued_total{grant=\"other\"} 1\n"), std::string::npos);
}

}  // namespace
}  // namespace keyward::metrics
