#pragma once
// Account mails' templates: templates/mail/<language>/<kind>.subject.txt, <kind>.txt and
// <kind>.html (mustache, like the pages). The HTML part escapes every value as the pages
// do; the plain-text part prints values as they are (a link must stay a link); the subject
// is one line. English (en) must have every kind; other languages may have some.
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "mail/mail.h"

namespace keyward::mail {

// The kinds Keyward sends, and what each view holds.
//   verify_email:   name, link, expires_in ("24 hours"), issuer
//   reset_password: name, link, expires_in ("30 minutes"), issuer
inline constexpr std::string_view kVerifyEmail = "verify_email";
inline constexpr std::string_view kResetPassword = "reset_password";

class MailTemplates {
 public:
  // Every language folder under `dir` (templates/mail); the error names a missing English
  // file, one that does not parse, or one that uses raw output.
  [[nodiscard]] static Result<std::shared_ptr<const MailTemplates>, std::string> load(
      const std::filesystem::path& dir);

  // The first language of an Accept-Language value (by q, then order) that has `kind`;
  // "en" when none does.
  [[nodiscard]] std::string pick_language(std::string_view kind,
                                          std::string_view accept_language) const;

  // The mail for `to`; an error only for an unknown kind.
  [[nodiscard]] Result<Mail, std::string> render(std::string_view kind, std::string_view to,
                                                 std::string_view accept_language,
                                                 const nlohmann::json& view) const;

  [[nodiscard]] std::vector<std::string> languages() const;

 private:
  struct Parts {
    std::string subject, text, html;
  };
  // language -> kind -> parts
  std::map<std::string, std::map<std::string, Parts, std::less<>>, std::less<>> templates_;
};

}  // namespace keyward::mail
