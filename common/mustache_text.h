#pragma once
// The one place Keyward renders mustache (libkainjow-mustache-dev), for the pages
// (server/render/templates.h) and the mails (mail/mail_templates.h) alike, so both keep the
// same rules (DESIGN.md "Templates"): a template that asks for raw output ({{{x}}}, {{&x}})
// or changes the delimiters is refused when it is loaded; views are JSON objects of
// strings, booleans, numbers (shown as text) and lists of such objects, null members
// counting as absent.
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace keyward {

// Parses `text` and checks it uses no raw output or delimiter change.
[[nodiscard]] Result<Unit, std::string> check_mustache(std::string_view text);

enum class MustacheEscape {
  Html,  // every value HTML-escaped: pages and the HTML part of mails
  None,  // values as they are: a mail's plain text and subject (a link must stay a link)
};

// Named templates a template includes with {{> name}} (the page in the layout, the form
// error block in the pages), rendered with the same view and escaping.
using MustachePartials = std::map<std::string, std::string, std::less<>>;

// `text` rendered with `view`. A fresh parse per call: kainjow's objects are not documented
// as safe to render from several threads at once, and these templates parse in
// microseconds.
[[nodiscard]] std::string render_mustache(std::string_view text, const nlohmann::json& view,
                                          MustacheEscape escape = MustacheEscape::Html,
                                          const MustachePartials& partials = {});

}  // namespace keyward
