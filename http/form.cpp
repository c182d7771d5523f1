#include "http/form.h"

#include <algorithm>
#include <unordered_map>

#include "common/text.h"

namespace keyward::http {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string, FormError> decode_at(std::string_view text, size_t base, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) {
        return err(FormError{"truncated percent-encoding", base + i});
      }
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0)
        return err(FormError{"'%' must be followed by two hex digits", base + i});
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  if (out.find('\0') != std::string::npos) return err(FormError{"a parameter contains NUL", base});
  if (!is_utf8(out)) return err(FormError{"a parameter is not UTF-8", base});
  return out;
}

}  // namespace

std::optional<std::string_view> FormParams::get(std::string_view name) const {
  for (const auto& p : params_) {
    if (p.name == name) return std::string_view(p.value);
  }
  return std::nullopt;
}

std::vector<std::string_view> FormParams::get_all(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& p : params_) {
    if (p.name == name) out.emplace_back(p.value);
  }
  return out;
}

size_t FormParams::count(std::string_view name) const {
  return static_cast<size_t>(std::count_if(params_.begin(), params_.end(),
                                           [&](const FormParam& p) { return p.name == name; }));
}

std::vector<std::string> FormParams::repeated_names() const {
  std::unordered_map<std::string_view, size_t> counts;
  counts.reserve(params_.size());
  for (const auto& p : params_) ++counts[p.name];
  std::vector<std::string> out;
  for (const auto& p : params_) {
    auto it = counts.find(p.name);
    if (it->second > 1) {
      out.push_back(p.name);
      it->second = 0;  // listed once
    }
  }
  return out;
}

Result<std::string, FormError> percent_decode(std::string_view text, bool plus_is_space) {
  return decode_at(text, 0, plus_is_space);
}

Result<FormParams, FormError> parse_form_urlencoded(std::string_view text) {
  std::vector<FormParam> params;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('&', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view pair = text.substr(start, end - start);
    if (!pair.empty()) {
      if (params.size() == kMaxFormParams) {
        return err(FormError{"too many parameters (at most " + std::to_string(kMaxFormParams) + ")",
                             start});
      }
      const size_t eq = pair.find('=');
      const std::string_view raw_name = pair.substr(0, eq);
      const std::string_view raw_value =
          eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
      auto name = decode_at(raw_name, start, true);
      if (!name.ok()) return err(std::move(name).error());
      auto value = decode_at(raw_value, start + raw_name.size() + 1, true);
      if (!value.ok()) return err(std::move(value).error());
      params.push_back({std::move(name).value(), std::move(value).value()});
    }
    start = end + 1;
  }
  return FormParams(std::move(params));
}

std::string form_urlencode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

}  // namespace keyward::http
