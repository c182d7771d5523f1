#pragma once
// application/x-www-form-urlencoded (WHATWG URL §5) for query strings and form bodies,
// decoded strictly by us: Pistache 0.0.5 hands over query values still percent-encoded
// and keeps only the first of repeated names, so it cannot be trusted with either.
//
// Rules: '&' separates pairs (empty pairs are skipped), the first '=' separates name
// from value, '+' is a space, "%XX" needs exactly two hex digits; a '%' followed by
// anything else is an error (WHATWG would pass it through; an OAuth parameter that
// depends on such a byte is a client bug we refuse to guess about). A decoded name or
// value must be UTF-8 without NUL: libpq ends a string at NUL ("alice%00" would be
// looked up as "alice") and PostgreSQL refuses invalid UTF-8 in a text column, so such
// bytes are refused here, before any lookup can be misled by them. At most
// kMaxFormParams pairs are read: no OAuth request needs more, and every lookup walks them.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace keyward::http {

inline constexpr size_t kMaxFormParams = 100;

struct FormParam {
  std::string name;
  std::string value;
};

struct FormError {
  std::string message;  // safe to show the client: it quotes no input
  size_t offset = 0;    // where in the input the error was found
};

class FormParams {
 public:
  FormParams() = default;
  explicit FormParams(std::vector<FormParam> params) : params_(std::move(params)) {}

  // The first value of `name`.
  [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const;
  [[nodiscard]] std::vector<std::string_view> get_all(std::string_view name) const;
  [[nodiscard]] size_t count(std::string_view name) const;
  [[nodiscard]] bool contains(std::string_view name) const { return count(name) > 0; }

  // Names given more than once, each listed once, in order of first appearance
  // (linear in the number of pairs).
  // RFC 6749 §3.1 and §3.2: request and response parameters MUST NOT be included more
  // than once, so the OAuth endpoints answer invalid_request when this is not empty
  // (restricted to the parameters they define; RFC 8707 `resource` may repeat).
  [[nodiscard]] std::vector<std::string> repeated_names() const;

  [[nodiscard]] const std::vector<FormParam>& items() const { return params_; }
  [[nodiscard]] bool empty() const { return params_.empty(); }
  [[nodiscard]] size_t size() const { return params_.size(); }

 private:
  std::vector<FormParam> params_;
};

// Percent-decodes one component; '+' becomes a space when plus_is_space. Fails on a
// malformed escape, and on a result that is not UTF-8 or contains NUL.
[[nodiscard]] Result<std::string, FormError> percent_decode(std::string_view text,
                                                            bool plus_is_space = true);

// Parses a query string (without the '?') or a form body; more than kMaxFormParams
// pairs is an error.
[[nodiscard]] Result<FormParams, FormError> parse_form_urlencoded(std::string_view text);

// Encodes for a query string or form body: unreserved characters (RFC 3986 §2.3) stay,
// everything else becomes %XX (space too, never '+', so it round-trips either way).
[[nodiscard]] std::string form_urlencode(std::string_view text);

}  // namespace keyward::http
