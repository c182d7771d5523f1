#include "server/render/templates.h"

#include <fstream>
#include <sstream>

#include <kainjow/mustache.hpp>

namespace keyward::server {
namespace {

namespace mustache = kainjow::mustache;

mustache::data to_data(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object: {
      mustache::data out(mustache::data::type::object);
      for (const auto& [key, member] : value.items()) {
        if (!member.is_null()) out.set(key, to_data(member));
      }
      return out;
    }
    case nlohmann::json::value_t::array: {
      mustache::data out(mustache::data::type::list);
      for (const auto& item : value) out.push_back(to_data(item));
      return out;
    }
    case nlohmann::json::value_t::string:
      return mustache::data(value.get<std::string>());
    case nlohmann::json::value_t::boolean:
      return mustache::data(value.get<bool>());
    case nlohmann::json::value_t::null:
      return mustache::data(false);
    default:
      return mustache::data(value.dump());
  }
}

Result<std::string, std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return err("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

Result<Unit, std::string> Templates::check(std::string_view text) {
  // {{{x}}} and {{&x}} print unescaped; {{=<% %>=}} would hide either from this check.
  for (std::string_view raw : {"{{{", "{{&", "{{ &", "{{="}) {
    if (text.find(raw) != std::string_view::npos) {
      return err("uses " + std::string(raw) + " (raw output or a delimiter change is forbidden)");
    }
  }
  mustache::mustache parsed{std::string(text)};
  if (!parsed.is_valid()) return err("does not parse: " + parsed.error_message());
  return Unit{};
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
  }
  return "error.html";
}

Result<std::shared_ptr<const Templates>, std::string> Templates::from_strings(
    std::string layout, const std::map<Page, std::string>& pages, std::string stylesheet) {
  if (auto ok = check(layout); !ok.ok()) return err("layout.html " + ok.error());
  std::shared_ptr<Templates> t(new Templates());
  for (const auto& [page, text] : pages) {
    if (auto ok = check(text); !ok.ok()) {
      return err(std::string(page_file(page)) + " " + ok.error());
    }
    t->pages_.at(static_cast<size_t>(page)) = text;
  }
  t->layout_ = std::move(layout);
  t->stylesheet_ = std::move(stylesheet);
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
  std::map<Page, std::string> pages;
  for (size_t i = 0; i < kPageCount; ++i) {
    const auto page = static_cast<Page>(i);
    auto text = read(page_file(page));
    if (!text.ok()) return err(text.error());
    pages.emplace(page, std::move(text).value());
  }
  auto loaded = from_strings(std::move(layout).value(), pages, std::move(stylesheet).value());
  if (!loaded.ok()) return err((dir / "").string() + loaded.error());
  return loaded;
}

std::string Templates::render(Page page, const nlohmann::json& view) const {
  const std::string* body = &pages_.at(static_cast<size_t>(page));
  mustache::data data = to_data(view.is_object() ? view : nlohmann::json::object());
  data.set("page", mustache::partial([body] { return *body; }));
  // A fresh parse per page: kainjow's objects are not documented as safe to render from
  // several threads at once, and these templates parse in microseconds.
  mustache::mustache layout{layout_};
  return layout.render(data);
}

}  // namespace keyward::server
