// The mail templates: the shipped ones load; the HTML part escapes, the text part keeps a
// link as it is; subjects stay one line; the reader's language is picked by Accept-Language.
#include "mail/mail_templates.h"

#include <gtest/gtest.h>

#include <fstream>

#include "mail/outbox_delivery.h"

namespace keyward::mail {
namespace {

std::shared_ptr<const MailTemplates> shipped() {
  auto t = MailTemplates::load(std::string(KEYWARD_SOURCE_DIR) + "/templates/mail");
  EXPECT_TRUE(t.ok()) << t.error();
  return t.ok() ? *t : nullptr;
}

const nlohmann::json kView = {{"name", "Ann <b>&"},
                              {"link", "https://id.example/verify-email?token=a_b-c&x=1"},
                              {"expires_in", "24 hours"},
                              {"issuer", "https://id.example"}};

TEST(MailTemplates, TheShippedTemplatesRenderEveryKind) {
  auto t = shipped();
  ASSERT_TRUE(t);
  for (auto kind : {kVerifyEmail, kResetPassword}) {
    SCOPED_TRACE(kind);
    auto mail = t->render(kind, "ann@example.com", "", kView);
    ASSERT_TRUE(mail.ok()) << mail.error();
    EXPECT_EQ(mail->kind, kind);
    EXPECT_EQ(mail->to, "ann@example.com");
    EXPECT_FALSE(mail->subject.empty());
    // The text part prints values as they are: the link must work when copied.
    EXPECT_NE(mail->text.find("https://id.example/verify-email?token=a_b-c&x=1"),
              std::string::npos);
    EXPECT_NE(mail->text.find("Ann <b>&"), std::string::npos);
    // The HTML part escapes every value, in text and in attributes.
    EXPECT_NE(mail->html.find("Ann &lt;b&gt;&amp;"), std::string::npos);
    EXPECT_NE(mail->html.find("href=\"https://id.example/verify-email?token=a_b-c&amp;x=1\""),
              std::string::npos);
    EXPECT_EQ(mail->html.find("<b>&"), std::string::npos);
  }
  EXPECT_FALSE(t->render("no_such_kind", "a@b.c", "", kView).ok());
}

TEST(MailTemplates, TheLanguageFollowsAcceptLanguageWithEnglishAsTheFallback) {
  auto t = shipped();
  ASSERT_TRUE(t);
  EXPECT_EQ(t->pick_language(kVerifyEmail, "de-DE,de;q=0.9,en;q=0.8"), "de");
  EXPECT_EQ(t->pick_language(kVerifyEmail, "fr-CH, fr;q=0.9, de;q=0.5"), "de");
  EXPECT_EQ(t->pick_language(kVerifyEmail, "fr"), "en");
  EXPECT_EQ(t->pick_language(kVerifyEmail, ""), "en");
  EXPECT_EQ(t->pick_language(kVerifyEmail, "de;q=0, en"), "en");  // q=0: not German
  EXPECT_EQ(t->pick_language(kVerifyEmail, "en;q=0.1, de;q=0.9"), "de");
  EXPECT_EQ(t->pick_language(kVerifyEmail, ";;,,q=,de;q=abc"), "en");  // junk is ignored
  // German has no reset mail (yet): English, whatever the reader prefers.
  EXPECT_EQ(t->pick_language(kResetPassword, "de"), "en");
  auto german = t->render(kVerifyEmail, "a@b.c", "de", kView);
  ASSERT_TRUE(german.ok());
  EXPECT_NE(german->text.find("Hallo"), std::string::npos);
}

class MailTemplateDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("keyward-mail-templates-" +
            std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    for (auto kind : {kVerifyEmail, kResetPassword}) {
      write("en", std::string(kind) + ".subject.txt", "Hello {{name}}\n");
      write("en", std::string(kind) + ".txt", "{{link}}");
      write("en", std::string(kind) + ".html", "<a href=\"{{link}}\">x</a>");
    }
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& language, const std::string& name, const std::string& text) {
    std::filesystem::create_directories(dir_ / language);
    std::ofstream(dir_ / language / name) << text;
  }
  std::filesystem::path dir_;
};

TEST_F(MailTemplateDir, ASubjectIsOneLineWhateverTheValues) {
  auto t = MailTemplates::load(dir_);
  ASSERT_TRUE(t.ok()) << t.error();
  auto mail = (*t)->render(kVerifyEmail, "a@b.c", "", {{"name", "x\r\nBcc: victim@example.com"}});
  ASSERT_TRUE(mail.ok());
  EXPECT_EQ(mail->subject.find('\n'), std::string::npos);
  EXPECT_EQ(mail->subject.find('\r'), std::string::npos);
}

TEST_F(MailTemplateDir, RawOutputAndAMissingEnglishMailAreRefused) {
  write("en", "verify_email.html", "{{{link}}}");
  auto raw = MailTemplates::load(dir_);
  ASSERT_FALSE(raw.ok());
  EXPECT_NE(raw.error().find("verify_email.html"), std::string::npos) << raw.error();

  write("en", "verify_email.html", "ok");
  std::filesystem::remove(dir_ / "en" / "reset_password.subject.txt");
  auto missing = MailTemplates::load(dir_);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("reset_password"), std::string::npos) << missing.error();
  EXPECT_FALSE(MailTemplates::load("/nonexistent").ok());
}

TEST(RetryDelay, DoublesFromTheFirstRetryUpToTheLongest) {
  DeliveryPolicy policy;
  policy.first_retry = std::chrono::seconds(30);
  policy.longest_retry = std::chrono::seconds(3600);
  EXPECT_EQ(retry_delay(policy, 0), std::chrono::seconds(30));
  EXPECT_EQ(retry_delay(policy, 1), std::chrono::seconds(60));
  EXPECT_EQ(retry_delay(policy, 3), std::chrono::seconds(240));
  EXPECT_EQ(retry_delay(policy, 7), std::chrono::seconds(3600));
  EXPECT_EQ(retry_delay(policy, 1000), std::chrono::seconds(3600));
}

}  // namespace
}  // namespace keyward::mail
