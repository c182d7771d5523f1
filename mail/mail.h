#pragma once
// One account mail, rendered and ready to queue (mail/mail_queue.h) and send
// (mail/smtp_sender.h).
#include <string>

namespace keyward::mail {

struct Mail {
  std::string kind;     // verify_email, reset_password, ...: logged instead of the body
  std::string to;       // one address, checked by mail::is_plausible_address
  std::string subject;  // one line
  std::string text;     // text/plain part
  std::string html;     // text/html part, every value escaped
};

}  // namespace keyward::mail
