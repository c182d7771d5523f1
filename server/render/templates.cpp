#include "server/render/templates.h"

#include <fstream>
#include <sstream>

#include "common/mustache_text.h"

namespace keyward::server {
namespace {

Result<std::string, std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return err("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

Result<Unit, std::string> Templates::check(std::string_view text) {
  return check_mustache(text);
}

std::string_view page_file(Page page) {
  switch (page) {
    case Page::Login:
      return "login.html";
    case Page::Consent:
      return "consent.html";
    case Page::Error:
      return "error.html";
    case Page::Logout:
      return "logout.html";
    case Page::Signup:
      return "signup.html";
    case Page::Notice:
      return "notice.html";
    case Page::Verify:
      return "verify.html";
    case Page::Recover:
      return "recover.html";
    case Page::Reset:
      return "reset.html";
    case Page::Account:
      return "account.html";
    case Page::FederationLink:
      return "federation_link.html";
  }
  return "error.html";
}

Result<std::shared_ptr<const Templates>, std::string> Templates::from_strings(
    std::string layout, const std::map<Page, std::string>& pages, std::string stylesheet,
    std::string form_error) {
  if (auto ok = check(layout); !ok.ok()) return err("layout.html " + ok.error());
  if (auto ok = check(form_error); !ok.ok()) return err("form_error.html " + ok.error());
  std::shared_ptr<Templates> t(new Templates());
  for (const auto& [page, text] : pages) {
    if (auto ok = check(text); !ok.ok()) {
      return err(std::string(page_file(page)) + " " + ok.error());
    }
    t->pages_.at(static_cast<size_t>(page)) = text;
  }
  t->layout_ = std::move(layout);
  t->stylesheet_ = std::move(stylesheet);
  t->form_error_ = std::move(form_error);
  return std::shared_ptr<const Templates>(std::move(t));
}

Result<std::shared_ptr<const Templates>, std::string> Templates::load(
    const std::filesystem::path& dir) {
  auto read = [&dir](std::string_view name) -> Result<std::string, std::string> {
    auto text = read_file(dir / name);
    if (!text.ok()) return err(text.error() + " (set KEYWARD_TEMPLATES_DIR)");
    return text;
  };
  auto layout = read("layout.html");
  if (!layout.ok()) return err(layout.error());
  auto stylesheet = read("keyward.css");
  if (!stylesheet.ok()) return err(stylesheet.error());
  auto form_error = read("form_error.html");
  if (!form_error.ok()) return err(form_error.error());
  std::map<Page, std::string> pages;
  for (size_t i = 0; i < kPageCount; ++i) {
    const auto page = static_cast<Page>(i);
    auto text = read(page_file(page));
    if (!text.ok()) return err(text.error());
    pages.emplace(page, std::move(text).value());
  }
  auto loaded = from_strings(std::move(layout).value(), pages, std::move(stylesheet).value(),
                             std::move(form_error).value());
  if (!loaded.ok()) return err((dir / "").string() + loaded.error());
  return loaded;
}

std::string Templates::render(Page page, const nlohmann::json& view) const {
  return render_mustache(layout_, view, MustacheEscape::Html,
                         MustachePartials{{"page", pages_.at(static_cast<size_t>(page))},
                                          {"form_error", form_error_}});
}

}  // namespace keyward::server
