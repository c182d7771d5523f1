// The account tables against a real PostgreSQL: single-use links (live only until they
// expire, used exactly once even when two uses race, a verification that counts only for
// the address it was sent to, a new reset link replacing the earlier ones), the per-hour
// mail limits (atomic under concurrency, per key, a window that slides), the lookup of
// accounts by address, and the janitor's deletes of both tables.
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <thread>

#include "accounts/account_mail.h"
#include "common/crypto.h"
#include "storage/account_link_repository.h"
#include "storage/database.h"
#include "storage/janitor.h"
#include "storage/mail_outbox_repository.h"
#include "storage/mail_request_repository.h"
#include "storage/user_repository.h"
#include "tests/integration/support/test_database.h"

namespace keyward::storage {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using test::StorageTest;

const TimePoint kT0 = TimePoint(seconds(1'750'000'000));

class AccountStorageTest : public StorageTest {
 protected:
  void SetUp() override {
    StorageTest::SetUp();
    if (IsSkipped()) return;
    links_.emplace(database());
    limits_.emplace(database());
    users_.emplace(database());
    alice_ = db().insert_user("alice");
    db().exec("UPDATE users SET email = 'alice@example.com' WHERE username = 'alice'");
  }

  // A link of `purpose` for alice made at kT0 for `lifetime`; returns its digest.
  std::string link(std::string_view purpose, std::chrono::seconds lifetime = minutes(30),
                   std::optional<std::string> email = std::nullopt) {
    const std::string hash = sha256(random_token());
    if (purpose == kVerifyEmailPurpose && !email) email = "alice@example.com";
    EXPECT_TRUE(
        links_
            ->create(NewAccountLink{hash, std::string(purpose), alice_, email, kT0, kT0 + lifetime})
            .ok());
    return hash;
  }

  bool verified() {
    return db().scalar("SELECT email_verified FROM users WHERE username = 'alice'") == "t";
  }

  std::optional<AccountLinkRepository> links_;
  std::optional<MailRequestRepository> limits_;
  std::optional<UserRepository> users_;
  std::string alice_;
};

TEST_F(AccountStorageTest, OnlyTheDigestIsStoredAndALinkIsFoundForItsPurposeUntilItExpires) {
  const std::string hash = link(kResetPasswordPurpose, minutes(30));
  EXPECT_EQ(db().scalar("SELECT count(*) FROM account_links WHERE octet_length(token_hash) = 32"),
            "1");
  auto found = links_->find_live(hash, kResetPasswordPurpose, kT0 + minutes(29));
  ASSERT_TRUE(found.ok() && *found);
  EXPECT_EQ((*found)->user_id, alice_);
  EXPECT_EQ((*found)->expires_at, kT0 + minutes(30));
  EXPECT_FALSE(links_->find_live(hash, kVerifyEmailPurpose, kT0).value());
  EXPECT_FALSE(links_->find_live(hash, kResetPasswordPurpose, kT0 + minutes(30)).value());
  EXPECT_FALSE(links_->find_live(sha256("unknown"), kResetPasswordPurpose, kT0).value());
  // Finding it did not use it.
  EXPECT_TRUE(links_->find_live(hash, kResetPasswordPurpose, kT0).value());
}

TEST_F(AccountStorageTest, ALinkIsConsumedOnceAndNotAfterItExpires) {
  const std::string hash = link(kResetPasswordPurpose);
  EXPECT_FALSE(links_->consume(hash, kVerifyEmailPurpose, kT0).value()) << "other purpose";
  EXPECT_TRUE(links_->consume(hash, kResetPasswordPurpose, kT0).value());
  EXPECT_FALSE(links_->consume(hash, kResetPasswordPurpose, kT0).value()) << "second use";
  const std::string expired = link(kResetPasswordPurpose, minutes(30));
  EXPECT_FALSE(links_->consume(expired, kResetPasswordPurpose, kT0 + minutes(31)).value());
}

TEST_F(AccountStorageTest, TwoConcurrentUsesOfOneLinkGetItExactlyOnce) {
  for (int round = 0; round < 10; ++round) {
    const std::string hash = link(kResetPasswordPurpose);
    std::atomic<int> got{0};
    std::latch start(2);
    auto use = [&] {
      start.arrive_and_wait();
      auto used = links_->consume(hash, kResetPasswordPurpose, kT0);
      if (used.ok() && *used) ++got;
    };
    std::thread a(use), b(use);
    a.join();
    b.join();
    EXPECT_EQ(got.load(), 1);
  }
}

TEST_F(AccountStorageTest, VerificationCountsOnlyForTheAddressTheLinkWasSentTo) {
  const std::string hash = link(kVerifyEmailPurpose, hours(24));
  db().exec("UPDATE users SET email = 'new@example.com' WHERE username = 'alice'");
  auto used = links_->consume_verification(hash, kT0);
  ASSERT_TRUE(used.ok() && *used);
  EXPECT_FALSE(**used) << "address changed: nothing verified";
  EXPECT_FALSE(verified());
  EXPECT_FALSE(links_->consume_verification(hash, kT0).value()) << "used up all the same";

  const std::string current = link(kVerifyEmailPurpose, hours(24), "new@example.com");
  EXPECT_FALSE(links_->consume_verification(current, kT0 + hours(25)).value()) << "expired";
  EXPECT_FALSE(verified());
  EXPECT_EQ(links_->consume_verification(current, kT0).value(), std::optional<bool>(true));
  EXPECT_TRUE(verified());
}

TEST_F(AccountStorageTest, ANewResetLinkReplacesTheEarlierOnesButNotVerificationLinks) {
  const std::string first = link(kResetPasswordPurpose);
  const std::string verification = link(kVerifyEmailPurpose, hours(24));
  const std::string second = sha256(random_token());
  ASSERT_TRUE(links_
                  ->replace(NewAccountLink{second, std::string(kResetPasswordPurpose), alice_,
                                           std::nullopt, kT0, kT0 + minutes(30)})
                  .ok());
  EXPECT_FALSE(links_->find_live(first, kResetPasswordPurpose, kT0).value());
  EXPECT_TRUE(links_->find_live(second, kResetPasswordPurpose, kT0).value());
  EXPECT_TRUE(links_->find_live(verification, kVerifyEmailPurpose, kT0).value());
  EXPECT_EQ(links_->delete_for_user(alice_, kVerifyEmailPurpose).value(), 1u);
}

TEST_F(AccountStorageTest, TheMailLimitCountsEachKeyWithinTheLastHourAndRecordsNothingWhenReached) {
  const std::vector<std::string> keys = {"user:a", "ip:192.0.2.1"};
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(limits_->try_record(keys, 3, kT0 - hours(1), kT0 + seconds(i)).value());
  }
  EXPECT_FALSE(limits_->try_record(keys, 3, kT0 - hours(1), kT0 + seconds(5)).value());
  // The address is full, so another account from it gets nothing and counts nothing.
  EXPECT_FALSE(
      limits_->try_record({"user:b", "ip:192.0.2.1"}, 3, kT0 - hours(1), kT0 + seconds(6)).value());
  EXPECT_EQ(limits_->count("user:b", kT0 - hours(1)).value(), 0);
  EXPECT_EQ(limits_->count("user:a", kT0 - hours(1)).value(), 3);
  // An hour later the window has moved on.
  const TimePoint later = kT0 + hours(1) + seconds(3);
  EXPECT_TRUE(limits_->try_record(keys, 3, later - hours(1), later).value());
}

TEST_F(AccountStorageTest, ConcurrentMailRequestsNeverPassTheLimit) {
  constexpr int kThreads = 8;
  std::atomic<int> allowed{0};
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      auto r = limits_->try_record({"user:race"}, 3, kT0 - hours(1), kT0);
      if (r.ok() && *r) ++allowed;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 3);
  EXPECT_EQ(limits_->count("user:race", kT0 - hours(1)).value(), 3);
}

// accounts::take_mail_allowance: one allowance per account, per requesting address and per
// recipient, whichever is spent first. Addresses are not unique, so the recipient's own
// key is what stops sign-ups naming one victim's address from many places.
TEST_F(AccountStorageTest, TheMailAllowanceCountsTheRecipientAcrossAccountsAndAddresses) {
  UserRecord first, second, other;
  first.id = "u1";
  first.email = "Victim@Example.com";
  second.id = "u2";
  second.email = "victim@example.COM";
  other.id = "u3";
  other.email = "someone@example.com";
  auto take = [&](const UserRecord& u, const std::string& ip, seconds at) {
    return accounts::take_mail_allowance(*limits_, u, ip, 2, kT0 + at).value();
  };
  EXPECT_TRUE(take(first, "192.0.2.1", seconds(1)));
  EXPECT_TRUE(take(second, "192.0.2.2", seconds(2)));
  EXPECT_FALSE(take(first, "192.0.2.3", seconds(3)));            // the recipient had its two
  EXPECT_FALSE(take(second, "192.0.2.4", seconds(4)));           // in any case
  EXPECT_TRUE(take(other, "192.0.2.5", seconds(5)));             // another recipient is not
  EXPECT_TRUE(take(first, "192.0.2.6", hours(1) + seconds(2)));  // an hour later
}

// A reset by link: the link used up, the password set and the user's access ended, all in
// one transaction; nothing at all for a dead link or a disabled user.
TEST_F(AccountStorageTest, AResetByLinkUsesTheLinkAndSetsThePasswordTogether) {
  const std::string hash_before =
      db().scalar("SELECT password_hash FROM users WHERE username = 'alice'").value_or("");
  const std::string new_hash = "$argon2id$v=19$m=7168,t=5,p=1$c2FsdHNhbHQ$bmV3aGFzaG5ld2hhc2g";
  auto password = [&] {
    return db().scalar("SELECT password_hash FROM users WHERE username = 'alice'").value_or("");
  };

  const std::string expired = link(kResetPasswordPurpose, minutes(30));
  EXPECT_FALSE(users_->reset_password_by_link(expired, new_hash, kT0 + minutes(31)).value());
  EXPECT_EQ(password(), hash_before);

  const std::string live = link(kResetPasswordPurpose, minutes(30));
  db().exec("UPDATE users SET disabled = true WHERE username = 'alice'");
  EXPECT_FALSE(users_->reset_password_by_link(live, new_hash, kT0 + minutes(1)).value());
  EXPECT_EQ(password(), hash_before);
  EXPECT_TRUE(links_->find_live(live, kResetPasswordPurpose, kT0).value()) << "link kept";

  db().exec("UPDATE users SET disabled = false WHERE username = 'alice'");
  auto done = users_->reset_password_by_link(live, new_hash, kT0 + minutes(1));
  ASSERT_TRUE(done.ok());
  ASSERT_TRUE(*done);
  EXPECT_EQ(password(), new_hash);
  EXPECT_FALSE(links_->find_live(live, kResetPasswordPurpose, kT0).value());
  // Once: the same link again changes nothing.
  EXPECT_FALSE(users_->reset_password_by_link(live, "$argon2id$other", kT0 + minutes(2)).value());
  EXPECT_EQ(password(), new_hash);
  // A verification link is no reset link.
  const std::string verification = link(kVerifyEmailPurpose, hours(24));
  EXPECT_FALSE(users_->reset_password_by_link(verification, new_hash, kT0).value());
}

// Pre-account takeover: someone signed up through an upstream with an address it did not
// verify; the address's owner resets the password by mail. The upstream link must not stay.
TEST_F(AccountStorageTest, AResetByLinkOfAnUnverifiedAddressEndsTheUpstreamLinks) {
  db().exec(
      "INSERT INTO identity_providers (name, issuer, client_id, client_secret_sealed, scopes,"
      " button_label) VALUES ('upstream', 'https://idp.example', 'keyward',"
      " decode(repeat('ab', 40), 'hex'), ARRAY['openid'], 'Upstream')");
  db().exec(
      "INSERT INTO federated_identities (provider, subject, user_id) VALUES"
      " ('upstream', 'attacker', '" +
      alice_ + "')");
  const auto links = [&] {
    return db().scalar("SELECT count(*) FROM federated_identities").value_or("?");
  };
  const std::string new_hash = "$argon2id$v=19$m=7168,t=5,p=1$c2FsdHNhbHQ$bmV3aGFzaG5ld2hhc2g";

  db().exec("UPDATE users SET email_verified = true WHERE username = 'alice'");
  ASSERT_TRUE(users_->reset_password_by_link(link(kResetPasswordPurpose), new_hash, kT0).value());
  EXPECT_EQ(links(), "1") << "a verified address: the owner's own link stays";

  db().exec("UPDATE users SET email_verified = false WHERE username = 'alice'");
  ASSERT_TRUE(users_->reset_password_by_link(link(kResetPasswordPurpose), new_hash, kT0).value());
  EXPECT_EQ(links(), "0");
}

TEST_F(AccountStorageTest, AccountsAreFoundByAddressWithoutCase) {
  (void)db().insert_user("alice2");
  db().exec("UPDATE users SET email = 'Alice@Example.com' WHERE username = 'alice2'");
  auto found = users_->find_by_email("ALICE@example.COM", 5);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ(users_->find_by_email("alice@example.com", 1).value().size(), 1u);
  EXPECT_TRUE(users_->find_by_email("nobody@example.com", 5).value().empty());
}

TEST_F(AccountStorageTest, TheJanitorDeletesExpiredLinksAndMailRequestsOlderThanAnHour) {
  const std::string live = link(kResetPasswordPurpose, hours(2));
  link(kResetPasswordPurpose, minutes(30));
  link(kVerifyEmailPurpose, minutes(45));
  ASSERT_TRUE(limits_->try_record({"user:old"}, 5, kT0 - hours(2), kT0).value());
  ASSERT_TRUE(limits_->try_record({"user:new"}, 5, kT0 - hours(2), kT0 + minutes(50)).value());
  Janitor janitor(database());
  auto counts = janitor.run_once(kT0 + hours(1) + minutes(1));
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->account_links, 2u);
  EXPECT_EQ(counts->mail_requests, 1u);
  EXPECT_TRUE(links_->find_live(live, kResetPasswordPurpose, kT0).value());
  EXPECT_EQ(db().scalar("SELECT key FROM mail_requests"), "user:new");
}

TEST_F(AccountStorageTest, TheJanitorDeletesUnsentMailsOlderThanTheirLinks) {
  MailOutboxRepository outbox(database());
  const NewOutgoingMail mail{"reset_password", "ann@example.com", "Reset", "link", "<p>link</p>"};
  ASSERT_TRUE(outbox.enqueue(mail, kT0).ok());
  ASSERT_TRUE(outbox.enqueue(mail, kT0 + hours(2)).ok());
  Janitor janitor(database());
  auto counts = janitor.run_once(kT0 + hours(24) + minutes(1));
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->mail_outbox, 1u);
  EXPECT_EQ(outbox.pending().value(), 1);
}

}  // namespace
}  // namespace keyward::storage
