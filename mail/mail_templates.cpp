#include "mail/mail_templates.h"

namespace keyward::mail {

// Placeholder until the mail templates land.
Result<std::shared_ptr<const MailTemplates>, std::string> MailTemplates::load(
    const std::filesystem::path&) {
  return std::shared_ptr<const MailTemplates>(std::make_shared<MailTemplates>());
}

std::string MailTemplates::pick_language(std::string_view, std::string_view) const {
  return "en";
}

Result<Mail, std::string> MailTemplates::render(std::string_view kind, std::string_view,
                                                std::string_view, const nlohmann::json&) const {
  return err("unknown mail kind " + std::string(kind));
}

std::vector<std::string> MailTemplates::languages() const {
  return {"en"};
}

}  // namespace keyward::mail
