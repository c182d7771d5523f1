#include "mail/mail_templates.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "common/mustache_text.h"

namespace keyward::mail {
namespace {

constexpr std::string_view kEnglish = "en";
constexpr std::string_view kKinds[] = {kVerifyEmail, kResetPassword};

Result<std::string, std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return err("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A header must stay one line: a CR or LF in a value (a name, say) would start a new one.
std::string one_line(std::string s) {
  std::replace_if(
      s.begin(), s.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// RFC 9110 §12.5.4: "da, en-gb;q=0.8, en;q=0.7" as tags by preference (q, then order);
// q=0 means "not this one".
std::vector<std::string> preferred_languages(std::string_view accept_language) {
  struct Choice {
    std::string tag;
    double q;
    size_t order;
  };
  std::vector<Choice> choices;
  size_t order = 0;
  while (!accept_language.empty() && order < 32) {
    const auto comma = accept_language.find(',');
    std::string_view item = accept_language.substr(0, comma);
    accept_language = comma == std::string_view::npos ? "" : accept_language.substr(comma + 1);
    const auto semicolon = item.find(';');
    const std::string_view tag = trim(item.substr(0, semicolon));
    double q = 1.0;
    if (semicolon != std::string_view::npos) {
      const std::string_view param = trim(item.substr(semicolon + 1));
      if (param.starts_with("q=")) {
        try {
          q = std::stod(std::string(param.substr(2)));
        } catch (const std::exception&) {
          q = 0;
        }
      }
    }
    if (!tag.empty() && tag.size() <= 35 && q > 0) choices.push_back({lower(tag), q, order});
    ++order;
  }
  std::stable_sort(choices.begin(), choices.end(),
                   [](const Choice& a, const Choice& b) { return a.q > b.q; });
  std::vector<std::string> tags;
  tags.reserve(choices.size());
  for (auto& c : choices) tags.push_back(std::move(c.tag));
  return tags;
}

}  // namespace

Result<std::shared_ptr<const MailTemplates>, std::string> MailTemplates::load(
    const std::filesystem::path& dir) {
  auto templates = std::make_shared<MailTemplates>();
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (!entry.is_directory()) continue;
    const std::string language = lower(entry.path().filename().string());
    for (std::string_view kind : kKinds) {
      const std::string base = std::string(kind);
      const auto subject_path = entry.path() / (base + ".subject.txt");
      if (!std::filesystem::exists(subject_path)) continue;  // this language lacks the kind
      Parts parts;
      const std::pair<std::string*, std::filesystem::path> files[] = {
          {&parts.subject, subject_path},
          {&parts.text, entry.path() / (base + ".txt")},
          {&parts.html, entry.path() / (base + ".html")}};
      for (const auto& [target, path] : files) {
        auto text = read_file(path);
        if (!text.ok()) return err(text.error());
        if (auto ok = check_mustache(*text); !ok.ok()) return err(path.string() + " " + ok.error());
        *target = std::move(text).value();
      }
      templates->templates_[language].emplace(base, std::move(parts));
    }
  }
  if (ec) return err("cannot read " + dir.string() + ": " + ec.message());
  for (std::string_view kind : kKinds) {
    const auto english = templates->templates_.find(kEnglish);
    if (english == templates->templates_.end() || !english->second.contains(kind)) {
      return err((dir / kEnglish / (std::string(kind) + ".subject.txt")).string() +
                 " is missing (English must have every mail)");
    }
  }
  return std::shared_ptr<const MailTemplates>(std::move(templates));
}

std::string MailTemplates::pick_language(std::string_view kind,
                                         std::string_view accept_language) const {
  auto has = [&](const std::string& language) {
    const auto found = templates_.find(language);
    return found != templates_.end() && found->second.contains(kind);
  };
  for (const auto& tag : preferred_languages(accept_language)) {
    if (has(tag)) return tag;
    std::string primary = tag.substr(0, tag.find('-'));
    if (has(primary)) return primary;
  }
  return std::string(kEnglish);
}

Result<Mail, std::string> MailTemplates::render(std::string_view kind, std::string_view to,
                                                std::string_view accept_language,
                                                const nlohmann::json& view) const {
  const auto language = templates_.find(pick_language(kind, accept_language));
  if (language == templates_.end()) return err("no mail templates");
  const auto parts = language->second.find(kind);
  if (parts == language->second.end()) return err("unknown mail kind " + std::string(kind));
  Mail mail;
  mail.kind = std::string(kind);
  mail.to = std::string(to);
  mail.subject = one_line(render_mustache(parts->second.subject, view, MustacheEscape::None));
  mail.text = render_mustache(parts->second.text, view, MustacheEscape::None);
  mail.html = render_mustache(parts->second.html, view, MustacheEscape::Html);
  return mail;
}

std::vector<std::string> MailTemplates::languages() const {
  std::vector<std::string> out;
  for (const auto& [language, kinds] : templates_) out.push_back(language);
  return out;
}

}  // namespace keyward::mail
