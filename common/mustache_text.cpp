#include "common/mustache_text.h"

#include <kainjow/mustache.hpp>

namespace keyward {
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

}  // namespace

Result<Unit, std::string> check_mustache(std::string_view text) {
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

std::string render_mustache(std::string_view text, const nlohmann::json& view,
                            MustacheEscape escape, const MustachePartials& partials) {
  mustache::data data = to_data(view.is_object() ? view : nlohmann::json::object());
  for (const auto& [name, body] : partials) {
    const std::string* text_of = &body;  // `partials` outlives this call's render
    data.set(name, mustache::partial([text_of] { return *text_of; }));
  }
  mustache::mustache t{std::string(text)};
  if (escape == MustacheEscape::None) t.set_custom_escape([](const std::string& s) { return s; });
  return t.render(data);
}

}  // namespace keyward
