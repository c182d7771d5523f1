#pragma once
// An ordered list of HTTP header fields with case-insensitive names (RFC 9110 §5.1).
// Repeated fields are kept as separate entries, in the order they arrived.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/text.h"

namespace keyward::http {

struct HeaderField {
  std::string name;
  std::string value;
};

class Headers {
 public:
  // Appends a field; an existing field of the same name is kept.
  void add(std::string name, std::string value);
  // Replaces every field of that name with one field.
  void set(std::string name, std::string value);
  void remove(std::string_view name);

  // The first field of that name.
  [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const;
  [[nodiscard]] std::vector<std::string_view> get_all(std::string_view name) const;
  [[nodiscard]] bool contains(std::string_view name) const { return get(name).has_value(); }
  [[nodiscard]] size_t count(std::string_view name) const;

  [[nodiscard]] const std::vector<HeaderField>& fields() const { return fields_; }
  [[nodiscard]] bool empty() const { return fields_.empty(); }
  [[nodiscard]] size_t size() const { return fields_.size(); }

 private:
  std::vector<HeaderField> fields_;
};

}  // namespace keyward::http
