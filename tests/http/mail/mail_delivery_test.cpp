// Account mails against a real SMTP server (python3-aiosmtpd) and a real PostgreSQL: what
// arrives (headers, both parts, UTF-8), and the outbox's delivery, retries and give-ups.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "common/log.h"
#include "mail/outbox_delivery.h"
#include "mail/smtp_sender.h"
#include "storage/mail_outbox_repository.h"
#include "tests/http/support/mail_sink.h"
#include "tests/integration/support/test_database.h"

namespace keyward::test {
namespace {

using mail::Mail;
using mail::SmtpSender;
using mail::SmtpSettings;

Mail sample_mail(const std::string& to) {
  return Mail{"verify_email", to, "Bestätigen Sie Ihre E-Mail-Adresse — bitte jetzt sofort, danke",
              "Open https://id.example/verify-email?token=abc_DEF-123 within 24 hours.\n",
              "<p><a href=\"https://id.example/verify-email?token=abc_DEF-123\">Confirm</a> "
              "ü</p>"};
}

SmtpSettings settings_for(const MailSink& sink) {
  return SmtpSettings{sink.smtp_url(), "Keyward <no-reply@id.example>", std::nullopt, std::nullopt,
                      std::chrono::seconds(10)};
}

TEST(SmtpSender, AMailArrivesWithItsHeadersAndBothParts) {
  MailSink sink;
  SmtpSender sender(settings_for(sink));
  auto sent = sender.send(sample_mail("ann@example.com"));
  ASSERT_TRUE(sent.ok()) << sent.error().reason;
  auto got = sink.next_for("ann@example.com");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->from, "Keyward <no-reply@id.example>");
  // A long UTF-8 subject travels as RFC 2047 encoded words and decodes back intact.
  EXPECT_EQ(got->subject, "Bestätigen Sie Ihre E-Mail-Adresse — bitte jetzt sofort, danke");
  EXPECT_EQ(link_in(got->text, "https://id.example/verify-email?token="),
            "https://id.example/verify-email?token=abc_DEF-123");
  EXPECT_NE(got->html.find("<a href=\"https://id.example/verify-email?token=abc_DEF-123\">"),
            std::string::npos)
      << got->html;
  EXPECT_NE(got->html.find("ü"), std::string::npos);
  EXPECT_EQ(sink.count_for("ann@example.com"), 1u);
}

TEST(SmtpSender, FailuresSayWhetherARetryCanHelp) {
  {
    MailSink sink(/*refuse_first=*/1);  // 451: a temporary failure
    SmtpSender sender(settings_for(sink));
    auto refused = sender.send(sample_mail("ann@example.com"));
    ASSERT_FALSE(refused.ok());
    EXPECT_FALSE(refused.error().permanent);
    EXPECT_NE(refused.error().reason.find("451"), std::string::npos) << refused.error().reason;
    EXPECT_TRUE(sender.send(sample_mail("ann@example.com")).ok());  // the next one goes
  }
  // Nobody listening: temporary too.
  uint16_t closed_port = 0;
  {
    MailSink gone;
    closed_port = gone.port();
  }
  SmtpSender nowhere(SmtpSettings{"smtp://127.0.0.1:" + std::to_string(closed_port),
                                  "no-reply@id.example", std::nullopt, std::nullopt,
                                  std::chrono::seconds(5)});
  auto unreachable = nowhere.send(sample_mail("ann@example.com"));
  ASSERT_FALSE(unreachable.ok());
  EXPECT_FALSE(unreachable.error().permanent);
  // A recipient that could inject SMTP commands never reaches the wire.
  auto injected = nowhere.send(sample_mail("ann@example.com>\r\nRCPT TO:<eve@example.com"));
  ASSERT_FALSE(injected.ok());
  EXPECT_TRUE(injected.error().permanent);
}

class OutboxDeliveryTest : public StorageTest {
 protected:
  void queue(storage::MailOutboxRepository& outbox, const std::string& to) {
    const Mail m = sample_mail(to);
    ASSERT_TRUE(outbox.enqueue({m.kind, m.to, m.subject, m.text, m.html}, clock_.now()).ok());
  }
  int64_t pending(storage::MailOutboxRepository& outbox) {
    auto n = outbox.pending();
    EXPECT_TRUE(n.ok());
    return n.ok() ? *n : -1;
  }
  // What the logger wrote so far.
  std::string log_text() {
    std::fflush(log_file_);
    return std::string(log_buffer_, log_size_);
  }
  void TearDown() override {
    std::fclose(log_file_);
    std::free(log_buffer_);
  }
  FixedClock clock_{TimePoint(std::chrono::seconds(1'800'000'000))};
  char* log_buffer_ = nullptr;
  size_t log_size_ = 0;
  std::FILE* log_file_ = open_memstream(&log_buffer_, &log_size_);
  Logger logger_{LogLevel::Debug, log_file_};
};

TEST_F(OutboxDeliveryTest, QueuedMailsAreSentOnceAndLeaveTheOutbox) {
  MailSink sink;
  storage::MailOutboxRepository outbox(database());
  queue(outbox, "ann@example.com");
  queue(outbox, "bob@example.com");
  EXPECT_EQ(pending(outbox), 2);
  mail::OutboxDelivery delivery(outbox, SmtpSender(settings_for(sink)), clock_, logger_);
  EXPECT_EQ(delivery.deliver_due(), 2u);
  EXPECT_EQ(pending(outbox), 0);
  EXPECT_TRUE(sink.next_for("ann@example.com"));
  EXPECT_TRUE(sink.next_for("bob@example.com"));
  EXPECT_EQ(delivery.deliver_due(), 0u);  // nothing is sent twice
  EXPECT_EQ(sink.count_for("ann@example.com"), 1u);
  // The log names the mails but never carries their links.
  EXPECT_NE(log_text().find("mail sent"), std::string::npos);
  EXPECT_EQ(log_text().find("token="), std::string::npos) << log_text();
  EXPECT_EQ(log_text().find("ann@"), std::string::npos) << log_text();
}

TEST_F(OutboxDeliveryTest, ATemporaryFailureIsRetriedAfterItsBackOff) {
  MailSink sink(/*refuse_first=*/1);
  storage::MailOutboxRepository outbox(database());
  queue(outbox, "ann@example.com");
  mail::DeliveryPolicy policy;
  policy.first_retry = std::chrono::seconds(30);
  mail::OutboxDelivery delivery(outbox, SmtpSender(settings_for(sink)), clock_, logger_, policy);
  EXPECT_EQ(delivery.deliver_due(), 0u);
  EXPECT_EQ(pending(outbox), 1);
  EXPECT_EQ(db().scalar("SELECT attempts FROM mail_outbox"), "1");
  EXPECT_NE(db().scalar("SELECT last_error FROM mail_outbox").value_or("").find("451"),
            std::string::npos);
  clock_.advance(std::chrono::seconds(29));
  EXPECT_EQ(delivery.deliver_due(), 0u);  // not yet due
  clock_.advance(std::chrono::seconds(1));
  EXPECT_EQ(delivery.deliver_due(), 1u);
  EXPECT_EQ(pending(outbox), 0);
  EXPECT_TRUE(sink.next_for("ann@example.com"));
  EXPECT_EQ(log_text().find("token="), std::string::npos) << log_text();
}

TEST_F(OutboxDeliveryTest, AMailIsDroppedAndLoggedWithoutItsLinkAfterTheLastAttempt) {
  MailSink sink(/*refuse_first=*/100);
  storage::MailOutboxRepository outbox(database());
  queue(outbox, "ann@example.com");
  mail::DeliveryPolicy policy;
  policy.max_attempts = 2;
  mail::OutboxDelivery delivery(outbox, SmtpSender(settings_for(sink)), clock_, logger_, policy);
  EXPECT_EQ(delivery.deliver_due(), 0u);
  EXPECT_EQ(pending(outbox), 1);
  clock_.advance(std::chrono::hours(1));
  EXPECT_EQ(delivery.deliver_due(), 0u);
  EXPECT_EQ(pending(outbox), 0);  // given up: the link does not stay in the database
  const std::string log = log_text();
  EXPECT_NE(log.find("undeliverable"), std::string::npos) << log;
  EXPECT_NE(log.find("example.com"), std::string::npos) << log;  // the recipient's domain
  EXPECT_EQ(log.find("token="), std::string::npos) << log;
  EXPECT_EQ(log.find("Confirm"), std::string::npos) << log;
}

TEST_F(OutboxDeliveryTest, AClaimedMailIsHiddenFromOtherSendersUntilItsLeaseEnds) {
  storage::MailOutboxRepository outbox(database());
  queue(outbox, "ann@example.com");
  const TimePoint now = clock_.now();
  auto first = outbox.claim_due(now, now + std::chrono::seconds(300), 10);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ((*first)[0].recipient, "ann@example.com");
  auto second = outbox.claim_due(now, now + std::chrono::seconds(300), 10);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->empty());  // another instance finds nothing to send
  auto after_lease =
      outbox.claim_due(now + std::chrono::seconds(300), now + std::chrono::seconds(600), 10);
  ASSERT_TRUE(after_lease.ok());
  EXPECT_EQ(after_lease->size(), 1u);  // its sender died: somebody else sends it
}

TEST_F(OutboxDeliveryTest, TheThreadDeliversWithoutBeingAsked) {
  MailSink sink;
  storage::MailOutboxRepository outbox(database());
  SystemClock system_clock;
  mail::DeliveryPolicy policy;
  policy.poll_interval = std::chrono::milliseconds(100);
  mail::OutboxDelivery delivery(outbox, SmtpSender(settings_for(sink)), system_clock, logger_,
                                policy);
  delivery.start();
  const Mail m = sample_mail("carol@example.com");
  ASSERT_TRUE(outbox.enqueue({m.kind, m.to, m.subject, m.text, m.html}, system_clock.now()).ok());
  EXPECT_TRUE(sink.next_for("carol@example.com", std::chrono::seconds(10)));
  delivery.stop();
}

}  // namespace
}  // namespace keyward::test
