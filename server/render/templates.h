#pragma once
// The HTML pages of the browser flows (DESIGN.md "Templates"), rendered from templates/
// with mustache (libkainjow-mustache-dev): every value HTML-escaped, always. Templates
// that ask for raw output ({{{x}}} or {{&x}}) or change the delimiters are refused when
// they are loaded, so no page can ever print a value unescaped; attributes in our
// templates are always double-quoted, so escaped values cannot leave them.
#include <array>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace keyward::server {

// Every page, one template file each (page_file names it).
enum class Page {
  Login,
  Consent,
  Error,
  Logout,
  Signup,          // GET/POST /signup
  Notice,          // a title and a message after an account action ("check your mail", ...)
  Verify,          // GET /verify-email: confirm the address the link proves
  Recover,         // GET/POST /recover
  Reset,           // GET/POST /reset
  Account,         // GET /account and its forms
  FederationLink,  // GET/POST /federation/link: confirm a link with the Keyward password
};
inline constexpr size_t kPageCount = 11;

// "login.html", ...
[[nodiscard]] std::string_view page_file(Page page);

class Templates {
 public:
  // Reads layout.html (the frame every page shares: {{> page}} is the page), every
  // page's file (page_file), form_error.html (the error block of the forms'
  // pages, {{> form_error}}) and keyward.css from `dir`. The error says which file is
  // missing, unreadable, unparseable or uses raw output.
  [[nodiscard]] static Result<std::shared_ptr<const Templates>, std::string> load(
      const std::filesystem::path& dir);

  // Checks one template's text: parses, and uses no raw output or delimiter change.
  [[nodiscard]] static Result<Unit, std::string> check(std::string_view text);

  // The page in the layout. `view` is a JSON object of strings, booleans, numbers (shown
  // as text) and lists of such objects; null members count as absent.
  [[nodiscard]] std::string render(Page page, const nlohmann::json& view) const;

  [[nodiscard]] const std::string& stylesheet() const { return stylesheet_; }

  // From strings, for tests: the same checks as load(); a page not in `pages` is empty, and
  // the form error block (form_error.html, {{> form_error}}) is `form_error`.
  [[nodiscard]] static Result<std::shared_ptr<const Templates>, std::string> from_strings(
      std::string layout, const std::map<Page, std::string>& pages, std::string stylesheet,
      std::string form_error = "");

 private:
  Templates() = default;
  std::string layout_, stylesheet_, form_error_;
  std::array<std::string, kPageCount> pages_;
};

}  // namespace keyward::server
