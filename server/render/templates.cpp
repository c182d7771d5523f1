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

Result<std::shared_ptr<const Templates>, std::string> Templates::from_strings(
    std::string layout, std::string login, std::string consent, std::string error,
    std::string logout, std::string stylesheet) {
  const std::pair<const char*, const std::string*> named[] = {{"layout.html", &layout},
                                                              {"login.html", &login},
                                                              {"consent.html", &consent},
                                                              {"error.html", &error},
                                                              {"logout.html", &logout}};
  for (const auto& [name, text] : named) {
    if (auto ok = check(*text); !ok.ok()) return err(std::string(name) + " " + ok.error());
  }
  std::shared_ptr<Templates> t(new Templates());
  t->layout_ = std::move(layout);
  t->login_ = std::move(login);
  t->consent_ = std::move(consent);
  t->error_ = std::move(error);
  t->logout_ = std::move(logout);
  t->stylesheet_ = std::move(stylesheet);
  return std::shared_ptr<const Templates>(std::move(t));
}

Result<std::shared_ptr<const Templates>, std::string> Templates::load(
    const std::filesystem::path& dir) {
  std::string texts[6];
  const char* names[6] = {"layout.html", "login.html",  "consent.html",
                          "error.html",  "logout.html", "keyward.css"};
  for (int i = 0; i < 6; ++i) {
    auto text = read_file(dir / names[i]);
    if (!text.ok()) return err(text.error() + " (set KEYWARD_TEMPLATES_DIR)");
    texts[i] = std::move(text).value();
  }
  auto loaded = from_strings(std::move(texts[0]), std::move(texts[1]), std::move(texts[2]),
                             std::move(texts[3]), std::move(texts[4]), std::move(texts[5]));
  if (!loaded.ok()) return err((dir / "").string() + loaded.error());
  return loaded;
}

std::string Templates::render(Page page, const nlohmann::json& view) const {
  const std::string* body = &error_;
  switch (page) {
    case Page::Login:
      body = &login_;
      break;
    case Page::Consent:
      body = &consent_;
      break;
    case Page::Error:
      body = &error_;
      break;
    case Page::Logout:
      body = &logout_;
      break;
  }
  mustache::data data = to_data(view.is_object() ? view : nlohmann::json::object());
  data.set("page", mustache::partial([body] { return *body; }));
  // A fresh parse per page: kainjow's objects are not documented as safe to render from
  // several threads at once, and these templates parse in microseconds.
  mustache::mustache layout{layout_};
  return layout.render(data);
}

}  // namespace keyward::server
