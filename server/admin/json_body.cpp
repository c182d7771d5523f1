#include "server/admin/json_body.h"

#include "http/content_type.h"

namespace keyward::server::admin {

namespace {

bool has_type(const nlohmann::json& value, FieldType type) {
  switch (type) {
    case FieldType::String:
      return value.is_string();
    case FieldType::Boolean:
      return value.is_boolean();
    case FieldType::NullableString:
      return value.is_string() || value.is_null();
    case FieldType::Integer:
      return value.is_number_integer();
    case FieldType::StringArray:
      if (!value.is_array()) return false;
      for (const auto& v : value) {
        if (!v.is_string()) return false;
      }
      return true;
  }
  return false;
}

std::string_view type_name(FieldType type) {
  switch (type) {
    case FieldType::String:
      return "a string";
    case FieldType::Boolean:
      return "true or false";
    case FieldType::NullableString:
      return "a string or null";
    case FieldType::Integer:
      return "a whole number";
    case FieldType::StringArray:
      return "an array of strings";
  }
  return "?";
}

}  // namespace

std::variant<nlohmann::json, http::HttpResponse> read_json_body(
    const http::HttpRequest& request, const std::vector<FieldSpec>& fields, bool empty_allowed) {
  if (request.body.empty()) {
    if (empty_allowed) return nlohmann::json::object();
    return problem(400, "invalid-request", "a JSON object body is required");
  }
  if (request.body.size() > kMaxAdminBody) {
    return problem(413, "body-too-large",
                   "the body is larger than " + std::to_string(kMaxAdminBody) + " bytes");
  }
  const bool merge_patch = request.method == http::Method::Patch &&
                           http::has_media_type(request.headers, "application/merge-patch+json");
  if (!http::has_media_type(request.headers, "application/json") && !merge_patch) {
    return problem(415, "unsupported-media-type", "send the body as application/json");
  }
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return problem(400, "invalid-request", "the body is not valid JSON");
  if (!body.is_object()) return problem(400, "invalid-request", "the body must be a JSON object");
  std::vector<FieldProblem> problems;
  for (const auto& [name, value] : body.items()) {
    const FieldSpec* spec = nullptr;
    for (const auto& f : fields) {
      if (f.name == name) spec = &f;
    }
    if (!spec) {
      problems.push_back({name, "unknown field"});
    } else if (!has_type(value, spec->type)) {
      problems.push_back({name, "must be " + std::string(type_name(spec->type))});
    }
  }
  for (const auto& f : fields) {
    if (f.required && !body.contains(f.name)) {
      problems.push_back({std::string(f.name), "is required"});
    }
  }
  if (!problems.empty()) {
    return problem(400, "invalid-request", "the body has fields that are not accepted", problems);
  }
  return body;
}

std::optional<std::string> string_field(const nlohmann::json& body, std::string_view name) {
  const auto it = body.find(name);
  if (it == body.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<long long> integer_field(const nlohmann::json& body, std::string_view name) {
  const auto it = body.find(name);
  if (it == body.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<long long>();
}

std::optional<bool> bool_field(const nlohmann::json& body, std::string_view name) {
  const auto it = body.find(name);
  if (it == body.end() || !it->is_boolean()) return std::nullopt;
  return it->get<bool>();
}

std::vector<std::string> strings_field(const nlohmann::json& body, std::string_view name) {
  const auto it = body.find(name);
  if (it == body.end() || !it->is_array()) return {};
  return it->get<std::vector<std::string>>();
}

}  // namespace keyward::server::admin
