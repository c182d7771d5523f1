#pragma once
// A real SMTP server for black-box tests of the account mails: scripts/mail-sink.py
// (Debian python3-aiosmtpd) on a free loopback port, writing every mail it accepts as one
// JSON file; the tests read the links out of the delivered mails.
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <set>
#include <string>

#include "tests/http/support/child_process.h"

namespace keyward::test {

struct ReceivedMail {
  std::string from, to, subject, text, html;
};

class MailSink {
 public:
  // Starts the sink and waits (at most 10 s) for its port; throws on failure. With
  // `refuse_first` > 0 the first that many mails are answered 451 (a temporary failure).
  explicit MailSink(int refuse_first = 0);
  ~MailSink();  // stops it
  MailSink(const MailSink&) = delete;
  MailSink& operator=(const MailSink&) = delete;

  [[nodiscard]] std::string smtp_url() const;  // "smtp://127.0.0.1:<port>"
  [[nodiscard]] uint16_t port() const { return port_; }

  // The next mail to `to` not returned before, waiting up to `timeout`; nullopt if none came.
  std::optional<ReceivedMail> next_for(
      const std::string& to, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Every mail to `to` so far.
  [[nodiscard]] size_t count_for(const std::string& to) const;

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::set<std::string> seen_;  // files already returned by next_for
};

// The first link in `text` that starts with `prefix` (e.g. issuer + "/reset?token="), up
// to the first space or line end; "" when there is none.
[[nodiscard]] std::string link_in(const std::string& text, const std::string& prefix);

}  // namespace keyward::test
