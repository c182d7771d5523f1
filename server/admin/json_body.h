#pragma once
// The admin API's request bodies: a JSON object sent as application/json (PATCH also as
// application/merge-patch+json), at most kMaxAdminBody bytes, with only the fields the
// route knows, each of the type it expects. Anything else is refused before the operation
// runs, so a misspelt field is never silently ignored.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/request.h"
#include "http/response.h"
#include "server/admin/problem.h"

namespace keyward::server::admin {

inline constexpr size_t kMaxAdminBody = 16 * 1024;

enum class FieldType { String, Boolean, StringArray, NullableString, Integer };

struct FieldSpec {
  std::string_view name;
  FieldType type;
  bool required = false;
};

// The body's object, or the problem to answer: 415 for another media type, 413 past the
// limit, 400 for bad JSON, a non-object, an unknown field, a missing required one or a
// wrongly typed one (each named in `errors`). An empty body is the empty object when
// `empty_allowed` (actions that take no input).
[[nodiscard]] std::variant<nlohmann::json, http::HttpResponse> read_json_body(
    const http::HttpRequest& request, const std::vector<FieldSpec>& fields,
    bool empty_allowed = false);

// The value of a field read_json_body checked: nullopt when absent (or null).
[[nodiscard]] std::optional<std::string> string_field(const nlohmann::json& body,
                                                      std::string_view name);
[[nodiscard]] std::optional<long long> integer_field(const nlohmann::json& body,
                                                     std::string_view name);
[[nodiscard]] std::optional<bool> bool_field(const nlohmann::json& body, std::string_view name);
[[nodiscard]] std::vector<std::string> strings_field(const nlohmann::json& body,
                                                     std::string_view name);

}  // namespace keyward::server::admin
