// The federation tables against a real PostgreSQL (migrations/0009_federation.sql): flows
// used once, by their browser only, even when two consumers race, and never after they
// expire; links unique per upstream identity and per (user, provider); unlinking refused
// when it is the user's last way to sign in, atomically under two racing unlinks; users
// without a password; how a session was signed in (amr); the janitor's deletes; and
// accounts::FederatedSignIn's rules over them.
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <thread>

#include "accounts/federated_sign_in.h"
#include "common/crypto.h"
#include "storage/database.h"
#include "storage/federated_identity_repository.h"
#include "storage/federation_flow_repository.h"
#include "storage/janitor.h"
#include "storage/session_repository.h"
#include "storage/user_repository.h"
#include "tests/integration/support/test_database.h"

namespace keyward::storage {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using test::StorageTest;

const TimePoint kT0 = TimePoint(seconds(1'750'000'000));

class FederationStorageTest : public StorageTest {
 protected:
  void SetUp() override {
    StorageTest::SetUp();
    if (IsSkipped()) return;
    flows_.emplace(database());
    identities_.emplace(database());
    users_.emplace(database());
    add_provider("upstream");
    add_provider("other");
    alice_ = db().insert_user("alice");
  }

  void add_provider(std::string_view name) {
    db().exec(
        "INSERT INTO identity_providers (name, issuer, client_id, client_secret_sealed,"
        " scopes, button_label) VALUES ('" +
        std::string(name) +
        "', 'https://idp.example', 'keyward', decode(repeat('ab', 40), 'hex'),"
        " ARRAY['openid','email'], 'Upstream')");
  }

  // A user without a Keyward password, as a federated sign-up makes one.
  std::string passwordless(std::string_view username) {
    NewUser user;
    user.username = std::string(username);
    auto inserted = users_->insert(user);
    EXPECT_TRUE(inserted.ok());
    return inserted.ok() ? inserted->id : std::string();
  }

  FederationFlow sign_in_flow(const std::string& state, const std::string& binding,
                              std::chrono::seconds lifetime = minutes(10)) {
    FederationFlow f;
    f.key_hash = sha256(state);
    f.purpose = FlowPurpose::SignIn;
    f.browser_hash = sha256(binding);
    f.provider = "upstream";
    f.nonce = "nonce-" + state;
    f.code_verifier = random_token();
    f.return_params = "client_id=app&scope=openid";
    f.created_at = kT0;
    f.expires_at = kT0 + lifetime;
    return f;
  }

  std::optional<FederationFlowRepository> flows_;
  std::optional<FederatedIdentityRepository> identities_;
  std::optional<UserRepository> users_;
  std::string alice_;
};

TEST_F(FederationStorageTest, AFlowIsUsedOnceByItsBrowserOnlyAndNeverAfterItExpires) {
  const auto flow = sign_in_flow("state-1", "browser-1");
  ASSERT_TRUE(flows_->create(flow).ok());

  // Another browser presenting the state spoils nothing.
  auto stranger = flows_->consume(flow.key_hash, FlowPurpose::SignIn, sha256("browser-2"), kT0);
  ASSERT_TRUE(stranger.ok());
  EXPECT_EQ(stranger->outcome, FlowConsumption::OtherBrowser);
  EXPECT_FALSE(stranger->flow);
  // Nor does the wrong purpose.
  EXPECT_EQ(flows_->consume(flow.key_hash, FlowPurpose::Link, flow.browser_hash, kT0)->outcome,
            FlowConsumption::NotFound);

  auto used = flows_->consume(flow.key_hash, FlowPurpose::SignIn, flow.browser_hash, kT0);
  ASSERT_TRUE(used.ok());
  ASSERT_EQ(used->outcome, FlowConsumption::Consumed);
  EXPECT_EQ(used->flow->nonce, flow.nonce);
  EXPECT_EQ(used->flow->code_verifier, flow.code_verifier);
  EXPECT_EQ(used->flow->return_params, flow.return_params);
  EXPECT_EQ(used->flow->provider, "upstream");
  EXPECT_EQ(flows_->consume(flow.key_hash, FlowPurpose::SignIn, flow.browser_hash, kT0)->outcome,
            FlowConsumption::NotFound)
      << "a replay finds nothing";

  const auto old = sign_in_flow("state-2", "browser-1", minutes(10));
  ASSERT_TRUE(flows_->create(old).ok());
  EXPECT_EQ(flows_->consume(old.key_hash, FlowPurpose::SignIn, old.browser_hash, kT0 + minutes(10))
                ->outcome,
            FlowConsumption::Expired);
  EXPECT_EQ(db().scalar("SELECT count(*) FROM federation_flows"), "0");
}

TEST_F(FederationStorageTest, TwoRacingConsumersOfOneFlowGetItOnce) {
  for (int round = 0; round < 20; ++round) {
    const auto flow = sign_in_flow("race-" + std::to_string(round), "browser");
    ASSERT_TRUE(flows_->create(flow).ok());
    std::atomic<int> got{0};
    std::latch start(2);
    auto use = [&] {
      start.arrive_and_wait();
      auto r = flows_->consume(flow.key_hash, FlowPurpose::SignIn, flow.browser_hash, kT0);
      if (r.ok() && r->outcome == FlowConsumption::Consumed) ++got;
    };
    std::thread a(use), b(use);
    a.join();
    b.join();
    EXPECT_EQ(got.load(), 1);
  }
}

TEST_F(FederationStorageTest, ALinkFlowNeedsItsUserAndIsSeenWithoutBeingUsed) {
  FederationFlow link;
  link.key_hash = sha256("link-token");
  link.purpose = FlowPurpose::Link;
  link.browser_hash = sha256("link-token");
  link.provider = "upstream";
  link.return_params = "";
  link.created_at = kT0;
  link.expires_at = kT0 + minutes(10);
  auto missing = flows_->create(link);
  ASSERT_FALSE(missing.ok()) << "a link row without its subject and user";
  EXPECT_EQ(missing.error().code, StorageErrorCode::CheckViolation);

  link.subject = "sub-1";
  link.user_id = alice_;
  link.email = "alice@example.com";
  ASSERT_TRUE(flows_->create(link).ok());
  EXPECT_TRUE(flows_->peek_link(link.key_hash, link.browser_hash, kT0).value());
  EXPECT_FALSE(flows_->peek_link(link.key_hash, sha256("other"), kT0).value());
  EXPECT_FALSE(flows_->peek_link(link.key_hash, link.browser_hash, kT0 + minutes(10)).value());
  auto used = flows_->consume(link.key_hash, FlowPurpose::Link, link.browser_hash, kT0);
  ASSERT_EQ(used->outcome, FlowConsumption::Consumed);
  EXPECT_EQ(used->flow->user_id, alice_);
  EXPECT_EQ(used->flow->subject, "sub-1");
  EXPECT_FALSE(flows_->peek_link(link.key_hash, link.browser_hash, kT0).value());
}

TEST_F(FederationStorageTest, AnUpstreamIdentityLinksToOneUserAndAUserToOneIdentityPerProvider) {
  const std::string bob = db().insert_user("bob");
  EXPECT_EQ(identities_->link({"upstream", "sub-1", alice_, "alice@example.com"}).value(),
            LinkOutcome::Linked);
  EXPECT_EQ(identities_->link({"upstream", "sub-1", bob, std::nullopt}).value(),
            LinkOutcome::IdentityTaken);
  EXPECT_EQ(identities_->link({"upstream", "sub-2", alice_, std::nullopt}).value(),
            LinkOutcome::ProviderAlreadyLinked);
  EXPECT_EQ(identities_->link({"gone", "sub-3", alice_, std::nullopt}).value(), LinkOutcome::Gone);
  EXPECT_EQ(identities_->link({"other", "sub-1", bob, std::nullopt}).value(), LinkOutcome::Linked)
      << "the same sub at another provider is another identity";

  auto found = identities_->find("upstream", "sub-1");
  ASSERT_TRUE(found.ok() && *found);
  EXPECT_EQ((*found)->user_id, alice_);
  EXPECT_EQ((*found)->email, "alice@example.com");
  EXPECT_EQ((*found)->provider_label, "Upstream");
  EXPECT_FALSE(identities_->find("upstream", "sub-2").value());

  ASSERT_TRUE(identities_->touch("upstream", "sub-1", std::nullopt, kT0).ok());
  EXPECT_EQ(identities_->find("upstream", "sub-1").value()->last_used_at, kT0);
  EXPECT_FALSE(identities_->find("upstream", "sub-1").value()->email);
  EXPECT_EQ(identities_->list_for_user(bob).value().size(), 1u);
}

TEST_F(FederationStorageTest, UnlinkingTheLastWayToSignInIsRefused) {
  // Alice has a password: her only link can go.
  ASSERT_EQ(identities_->link({"upstream", "a", alice_, std::nullopt}).value(),
            LinkOutcome::Linked);
  EXPECT_EQ(identities_->unlink(alice_, "upstream").value(), UnlinkOutcome::Unlinked);
  EXPECT_EQ(identities_->unlink(alice_, "upstream").value(), UnlinkOutcome::NotLinked);

  // Carol has none: her last link stays.
  const std::string carol = passwordless("carol");
  ASSERT_EQ(identities_->link({"upstream", "c1", carol, std::nullopt}).value(),
            LinkOutcome::Linked);
  ASSERT_EQ(identities_->link({"other", "c2", carol, std::nullopt}).value(), LinkOutcome::Linked);
  EXPECT_EQ(identities_->unlink(carol, "upstream").value(), UnlinkOutcome::Unlinked);
  EXPECT_EQ(identities_->unlink(carol, "other").value(), UnlinkOutcome::LastWayToSignIn);
  EXPECT_TRUE(identities_->find("other", "c2").value());
}

TEST_F(FederationStorageTest, TwoRacingUnlinksOfAPasswordlessUsersTwoLinksLeaveOne) {
  for (int round = 0; round < 10; ++round) {
    const std::string user = passwordless("dora" + std::to_string(round));
    ASSERT_EQ(
        identities_->link({"upstream", "d" + std::to_string(round), user, std::nullopt}).value(),
        LinkOutcome::Linked);
    ASSERT_EQ(identities_->link({"other", "d" + std::to_string(round), user, std::nullopt}).value(),
              LinkOutcome::Linked);
    std::atomic<int> unlinked{0};
    std::latch start(2);
    auto unlink = [&](std::string provider) {
      start.arrive_and_wait();
      auto r = identities_->unlink(user, provider);
      if (r.ok() && *r == UnlinkOutcome::Unlinked) ++unlinked;
    };
    std::thread a(unlink, "upstream"), b(unlink, "other");
    a.join();
    b.join();
    EXPECT_EQ(unlinked.load(), 1);
    EXPECT_EQ(identities_->list_for_user(user).value().size(), 1u);
  }
}

TEST_F(FederationStorageTest, AUserWithoutAPasswordReadsAsNoneAndSessionsRecordHowTheySignedIn) {
  const std::string carol = passwordless("carol");
  auto found = users_->find_by_id(carol);
  ASSERT_TRUE(found.ok() && *found);
  EXPECT_FALSE((*found)->password_hash);
  EXPECT_TRUE(users_->find_by_id(alice_).value()->password_hash);

  SessionRepository sessions(database());
  ASSERT_TRUE(sessions
                  .start(NewSignedInSession{sha256("s1"),
                                            carol,
                                            random_bytes(32),
                                            kT0,
                                            kT0 + minutes(60),
                                            {},
                                            std::string(kAmrFederated),
                                            kT0 - minutes(3)})
                  .ok());
  auto fed = sessions.touch(sha256("s1"), kT0, seconds(3600));
  ASSERT_TRUE(fed.ok() && *fed);
  EXPECT_EQ((*fed)->amr, "fed");
  EXPECT_EQ((*fed)->auth_time, kT0 - minutes(3)) << "the upstream's sign-in, not ours";
  ASSERT_TRUE(
      sessions.sign_in(sha256("s1"), sha256("s2"), alice_, random_bytes(32), kT0, kT0 + minutes(60))
          .ok());
  EXPECT_EQ(sessions.touch(sha256("s2"), kT0, seconds(3600)).value()->amr, "pwd");
  EXPECT_EQ(sessions.touch(sha256("s2"), kT0, seconds(3600)).value()->auth_time, kT0);
  // A federated sign-in replacing a session: the upstream's auth_time, never a future one.
  ASSERT_TRUE(sessions
                  .sign_in(sha256("s2"), sha256("s3"), carol, random_bytes(32), kT0,
                           kT0 + minutes(60), {}, kAmrFederated, kT0 - minutes(1))
                  .ok());
  EXPECT_EQ(sessions.touch(sha256("s3"), kT0, seconds(3600)).value()->auth_time, kT0 - minutes(1));
  ASSERT_TRUE(sessions
                  .sign_in(sha256("s3"), sha256("s4"), carol, random_bytes(32), kT0,
                           kT0 + minutes(60), {}, kAmrFederated, kT0 + minutes(5))
                  .ok());
  EXPECT_EQ(sessions.touch(sha256("s4"), kT0, seconds(3600)).value()->auth_time, kT0);
  // A session from before 0009 (amr NULL) was signed in with a password.
  db().exec("UPDATE browser_sessions SET amr = NULL");
  EXPECT_EQ(sessions.touch(sha256("s4"), kT0, seconds(3600)).value()->amr, "pwd");
}

TEST_F(FederationStorageTest, TheJanitorDeletesExpiredFlows) {
  ASSERT_TRUE(flows_->create(sign_in_flow("old", "b", minutes(10))).ok());
  ASSERT_TRUE(flows_->create(sign_in_flow("new", "b", minutes(30))).ok());
  Janitor janitor(database());
  auto counts = janitor.run_once(kT0 + minutes(11));
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->federation_flows, 1u);
  EXPECT_EQ(db().scalar("SELECT count(*) FROM federation_flows"), "1");
}

// accounts::FederatedSignIn over the real tables.
class FederatedSignInTest : public FederationStorageTest {
 protected:
  accounts::UpstreamAccount upstream(std::string subject, std::optional<std::string> email,
                                     bool verified) {
    return accounts::UpstreamAccount{"upstream", "Upstream",   std::move(subject), std::move(email),
                                     verified,   std::nullopt, std::nullopt,       "Ann.Upstream"};
  }
  std::string count(std::string_view table) {
    return db().scalar("SELECT count(*) FROM " + std::string(table)).value_or("?");
  }
  FixedClock clock_{kT0};
};

TEST_F(FederatedSignInTest, AFirstSignInCreatesALinkedUserWithoutPasswordWhenRegistrationIsOpen) {
  accounts::FederatedSignIn open(*identities_, *users_, clock_, true);
  auto first = open.sign_in(upstream("s-1", "ann@example.com", true));
  ASSERT_TRUE(first.ok()) << first.error();
  ASSERT_EQ(first->kind, accounts::FederatedOutcome::Kind::SignIn);
  EXPECT_TRUE(first->created);
  auto user = users_->find_by_id(first->user_id).value();
  ASSERT_TRUE(user);
  EXPECT_EQ(user->username, "ann.upstream");
  EXPECT_EQ(user->email, "ann@example.com");
  EXPECT_TRUE(user->email_verified);
  EXPECT_FALSE(user->password_hash);

  auto again = open.sign_in(upstream("s-1", "ann@example.com", true));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->user_id, first->user_id);
  EXPECT_FALSE(again->created);

  // A second identity with the same preferred name gets another username.
  auto other = open.sign_in(upstream("s-2", std::nullopt, false));
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(users_->find_by_id(other->user_id).value()->username, "ann.upstream-2");
}

TEST_F(FederatedSignInTest, RegistrationClosedRefusesAndCreatesNothing) {
  accounts::FederatedSignIn closed(*identities_, *users_, clock_, false);
  const std::string users_before = count("users");
  auto refused = closed.sign_in(upstream("s-1", "new@example.com", true));
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->kind, accounts::FederatedOutcome::Kind::Refused);
  EXPECT_NE(refused->message.find("No account is linked to this Upstream account"),
            std::string::npos);
  EXPECT_EQ(count("users"), users_before);
  EXPECT_EQ(count("federated_identities"), "0");
}

TEST_F(FederatedSignInTest,
       AVerifiedAddressOfAnAccountAsksForItsPasswordAndAnUnverifiedOneNeverLinks) {
  db().exec(
      "UPDATE users SET email = 'alice@example.com', email_verified = true"
      " WHERE username = 'alice'");
  for (bool open : {false, true}) {
    accounts::FederatedSignIn rules(*identities_, *users_, clock_, open);
    auto verified = rules.sign_in(upstream("s-1", "Alice@Example.com", true));
    ASSERT_TRUE(verified.ok());
    ASSERT_EQ(verified->kind, accounts::FederatedOutcome::Kind::ConfirmLink);
    EXPECT_EQ(verified->link_user->id, alice_);
    EXPECT_EQ(count("federated_identities"), "0") << "nothing linked before the password";
  }

  // Unverified upstream: never alice's account.
  accounts::FederatedSignIn closed(*identities_, *users_, clock_, false);
  auto refused = closed.sign_in(upstream("s-2", "alice@example.com", false));
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->kind, accounts::FederatedOutcome::Kind::Refused);
  accounts::FederatedSignIn open(*identities_, *users_, clock_, true);
  auto separate = open.sign_in(upstream("s-2", "alice@example.com", false));
  ASSERT_TRUE(separate.ok());
  ASSERT_EQ(separate->kind, accounts::FederatedOutcome::Kind::SignIn);
  EXPECT_NE(separate->user_id, alice_);
  EXPECT_FALSE(users_->find_by_id(separate->user_id).value()->email)
      << "an unproven claim to an address an account has is not taken";

  // Confirmed: linked, and the next sign-in goes straight in.
  const auto alice = users_->find_by_id(alice_).value();
  auto linked = open.confirm_link(upstream("s-1", "alice@example.com", true), *alice);
  ASSERT_TRUE(linked.ok());
  EXPECT_EQ(linked->kind, accounts::FederatedOutcome::Kind::SignIn);
  EXPECT_EQ(open.sign_in(upstream("s-1", "alice@example.com", true))->user_id, alice_);
}

TEST_F(FederatedSignInTest, ADisabledUserIsRefused) {
  ASSERT_EQ(identities_->link({"upstream", "s-1", alice_, std::nullopt}).value(),
            LinkOutcome::Linked);
  db().exec("UPDATE users SET disabled = true WHERE username = 'alice'");
  accounts::FederatedSignIn open(*identities_, *users_, clock_, true);
  auto refused = open.sign_in(upstream("s-1", std::nullopt, false));
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->kind, accounts::FederatedOutcome::Kind::Refused);
}

TEST_F(FederatedSignInTest, ANewAccountTakesOnlyAnAddressTheUpstreamVerified) {
  // An unverified claim to an address nobody here has yet is not stored either: the owner
  // of that address could otherwise be mailed a reset link for the claimant's account
  // (pre-account takeover).
  accounts::FederatedSignIn open(*identities_, *users_, clock_, true);
  auto unverified = open.sign_in(upstream("s-1", "victim@example.com", false));
  ASSERT_TRUE(unverified.ok()) << unverified.error();
  ASSERT_EQ(unverified->kind, accounts::FederatedOutcome::Kind::SignIn);
  const auto user = users_->find_by_id(unverified->user_id).value();
  ASSERT_TRUE(user);
  EXPECT_FALSE(user->email);
  EXPECT_FALSE(user->email_verified);
  EXPECT_TRUE(users_->find_by_email("victim@example.com", 10).value().empty());
}

TEST_F(FederatedSignInTest, AProviderRemovedBeforeTheLinkRefusesAndCreatesNothing) {
  // The link's foreign key fails (the provider is gone): one refusal, no account left over
  // (this used to delete the orphan and recurse without end).
  accounts::FederatedSignIn open(*identities_, *users_, clock_, true);
  auto account = upstream("s-1", "gone@example.com", true);
  account.provider = "removed";
  const std::string users_before = count("users");
  auto refused = open.sign_in(account);
  ASSERT_TRUE(refused.ok()) << refused.error();
  EXPECT_EQ(refused->kind, accounts::FederatedOutcome::Kind::Refused);
  EXPECT_EQ(count("users"), users_before);
  EXPECT_EQ(count("federated_identities"), "0");
}

TEST_F(FederatedSignInTest, CreatingAUserAndItsLinkIsOneTransaction) {
  ASSERT_EQ(identities_->link({"upstream", "s-1", alice_, std::nullopt}).value(),
            LinkOutcome::Linked);
  const std::string users_before = count("users");
  NewUser user;
  user.username = "racer";
  auto taken = identities_->create_user_and_link(user, {"upstream", "s-1", "", std::nullopt});
  ASSERT_TRUE(taken.ok()) << taken.error().message;
  EXPECT_EQ(taken->outcome, CreatedAndLinked::Outcome::IdentityTaken);
  EXPECT_EQ(count("users"), users_before) << "the user insert was rolled back with the link";

  user.username = "alice";
  auto name_taken = identities_->create_user_and_link(user, {"upstream", "s-2", "", std::nullopt});
  ASSERT_TRUE(name_taken.ok());
  EXPECT_EQ(name_taken->outcome, CreatedAndLinked::Outcome::UsernameTaken);

  user.username = "bob";
  auto created = identities_->create_user_and_link(user, {"upstream", "s-2", "", std::nullopt});
  ASSERT_TRUE(created.ok());
  ASSERT_EQ(created->outcome, CreatedAndLinked::Outcome::Created);
  EXPECT_EQ(identities_->find("upstream", "s-2").value()->user_id, created->user->id);
  EXPECT_FALSE(created->user->password_hash);
}

TEST(FederatedUsername, IsMadeValidFromWhatTheUpstreamSays) {
  accounts::UpstreamAccount a{"google", "Google", "1234567890", "x.y+z@example.com", true};
  EXPECT_EQ(accounts::username_from_upstream(a), "x.yz");
  a.preferred_username = "--Jörg Müller!";
  EXPECT_EQ(accounts::username_from_upstream(a), "JrgMller");
  a.preferred_username = "é";
  a.email = "@example.com";
  EXPECT_EQ(accounts::username_from_upstream(a), "google-1234567890");
  a.subject = std::string(300, 'a');
  EXPECT_EQ(accounts::username_from_upstream(a).size(), 64u);
}

}  // namespace
}  // namespace keyward::storage
