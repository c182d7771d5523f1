// IdentityProviderRepository against a real PostgreSQL: rows round-trip (the sealed secret's
// bytes included), a taken name is an outcome rather than a failure and changes nothing,
// the table's rules refuse what the CLI would have refused, and removal cascades.
#include "storage/identity_provider_repository.h"

#include <gtest/gtest.h>

#include "common/crypto.h"
#include "tests/integration/support/test_database.h"

namespace keyward::storage {
namespace {

using test::StorageTest;
using Outcome = IdentityProviderRepository::InsertOutcome;

IdentityProviderRecord google() {
  IdentityProviderRecord p;
  p.name = "google";
  p.issuer = "https://accounts.google.com";
  p.client_id = "1234.apps.googleusercontent.com";
  // Bytes of every value, zeros included, to prove bytea round-trips.
  p.client_secret_sealed = random_bytes(40) + std::string(3, '\0');
  p.scopes = {"openid", "email", "profile"};
  p.button_label = "Google";
  return p;
}

class IdentityProviderRepositoryTest : public StorageTest {
 protected:
  void SetUp() override {
    StorageTest::SetUp();
    if (IsSkipped()) return;
    repository_.emplace(database());
  }
  IdentityProviderRepository& providers() { return *repository_; }

 private:
  std::optional<IdentityProviderRepository> repository_;
};

TEST_F(IdentityProviderRepositoryTest, InsertFindListRoundTrip) {
  const auto p = google();
  ASSERT_EQ(providers().insert(p).value(), Outcome::Inserted);
  auto found = providers().find("google");
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_TRUE(found->has_value());
  const auto& row = **found;
  EXPECT_EQ(row.name, p.name);
  EXPECT_EQ(row.issuer, p.issuer);
  EXPECT_EQ(row.client_id, p.client_id);
  EXPECT_EQ(row.client_secret_sealed, p.client_secret_sealed);
  EXPECT_EQ(row.scopes, p.scopes);
  EXPECT_EQ(row.button_label, p.button_label);
  EXPECT_GT(row.created_at.time_since_epoch().count(), 0);
  EXPECT_EQ(row.created_at, row.updated_at);
  EXPECT_FALSE(providers().find("gitlab").value().has_value());

  auto gitlab = google();
  gitlab.name = "gitlab";
  gitlab.issuer = "https://gitlab.com";
  ASSERT_EQ(providers().insert(gitlab).value(), Outcome::Inserted);
  auto all = providers().list();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "gitlab");  // name order
  EXPECT_EQ((*all)[1], row);
}

TEST_F(IdentityProviderRepositoryTest, ATakenNameIsAnOutcomeAndChangesNothing) {
  ASSERT_EQ(providers().insert(google()).value(), Outcome::Inserted);
  auto again = google();
  again.issuer = "https://evil.example.com";
  ASSERT_EQ(providers().insert(again).value(), Outcome::NameTaken);
  EXPECT_EQ(providers().find("google").value()->issuer, "https://accounts.google.com");
  EXPECT_EQ(db().scalar("SELECT count(*) FROM identity_providers"), "1");
}

TEST_F(IdentityProviderRepositoryTest, TheTableRefusesWhatTheRulesRefuse) {
  auto bad_name = google();
  bad_name.name = "Google";
  auto no_openid = google();
  no_openid.scopes = {"email"};
  auto empty_label = google();
  empty_label.button_label = "";
  auto short_secret = google();
  short_secret.client_secret_sealed = std::string(28, 'x');  // no room for a secret
  for (const auto& p : {bad_name, no_openid, empty_label, short_secret}) {
    auto r = providers().insert(p);
    ASSERT_FALSE(r.ok()) << p.name;
    EXPECT_EQ(r.error().code, StorageErrorCode::CheckViolation) << r.error().message;
  }
  EXPECT_EQ(db().scalar("SELECT count(*) FROM identity_providers"), "0");
}

TEST_F(IdentityProviderRepositoryTest, RemoveCascadesToLinkedIdentities) {
  ASSERT_EQ(providers().insert(google()).value(), Outcome::Inserted);
  const std::string user = db().insert_user("alice");
  db().exec(
      "INSERT INTO federated_identities (provider, subject, user_id) VALUES ('google', "
      "'1101', '" +
      user + "')");
  EXPECT_TRUE(providers().remove("google").value());
  EXPECT_FALSE(providers().remove("google").value());
  EXPECT_EQ(db().scalar("SELECT count(*) FROM federated_identities"), "0");
  EXPECT_EQ(db().scalar("SELECT count(*) FROM users"), "1");
}

}  // namespace
}  // namespace keyward::storage
