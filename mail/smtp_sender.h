#pragma once
// SMTP through libcurl (no hand-written SMTP): smtp:// upgrades with STARTTLS whenever the
// server offers it (and must, when credentials are set: nothing secret goes in clear),
// smtps:// is TLS from the first byte; certificates are verified against the system's CA
// store. Each mail is one multipart/alternative message (text and HTML,
// UTF-8, quoted-printable).
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "mail/mail.h"

namespace keyward::mail {

struct SmtpSettings {
  std::string url;   // smtp://host[:port] or smtps://host[:port]
  std::string from;  // "Name <address>" or "address"
  std::optional<std::string> username;
  std::optional<std::string> password;
  std::chrono::seconds timeout{30};
};

struct SendFailure {
  std::string reason;      // for logs: curl's words and the server's reply code, no body
  bool permanent = false;  // the server refused the mail (5xx): retrying will not help
};

// The address inside "Name <address>", or the whole text when it has no angle brackets.
[[nodiscard]] std::string address_of(std::string_view mailbox);

// The part of an address after its last '@' ("" when it has none).
[[nodiscard]] std::string domain_of(std::string_view address);

// Whether `address` can be an SMTP recipient: local@domain, no spaces, angle brackets or
// control characters, at most 320 bytes.
[[nodiscard]] bool is_plausible_address(std::string_view address);

class SmtpSender {
 public:
  explicit SmtpSender(SmtpSettings settings);

  // One connection per mail: mails are rare (sign-ups, resets), so keeping one open buys
  // nothing. Thread-compatible: one sender per thread.
  [[nodiscard]] Result<Unit, SendFailure> send(const Mail& mail) const;

 private:
  SmtpSettings settings_;
};

}  // namespace keyward::mail
