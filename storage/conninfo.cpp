#include "storage/conninfo.h"

#include <libpq-fe.h>

#include <memory>

namespace keyward::storage {
namespace {

struct OptionsFree {
  void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};
struct MessageFree {
  void operator()(char* message) const { PQfreemem(message); }
};

// libpq's quoting for key/value conninfo strings: single quotes, with \ and ' escaped.
std::string quote(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

}  // namespace

Result<ConnInfo, std::string> ConnInfo::parse(std::string_view text) {
  const std::string copy(text);  // libpq wants a NUL-terminated string
  char* raw_message = nullptr;
  std::unique_ptr<PQconninfoOption, OptionsFree> options(
      PQconninfoParse(copy.c_str(), &raw_message));
  std::unique_ptr<char, MessageFree> message(raw_message);
  if (!options) {
    std::string reason = message ? std::string(message.get()) : "out of memory";
    while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) reason.pop_back();
    return err("invalid database connection string: " + reason);
  }
  ConnInfo info;
  for (const PQconninfoOption* option = options.get(); option->keyword != nullptr; ++option) {
    info.settings_.emplace_back(option->keyword, option->val != nullptr
                                                     ? std::optional<std::string>(option->val)
                                                     : std::nullopt);
  }
  return info;
}

std::optional<std::string> ConnInfo::get(std::string_view key) const {
  for (const auto& [name, value] : settings_) {
    if (name == key) return value;
  }
  return std::nullopt;
}

bool ConnInfo::set(std::string_view key, std::string value) {
  for (auto& [name, current] : settings_) {
    if (name == key) {
      current = std::move(value);
      return true;
    }
  }
  return false;
}

bool ConnInfo::set_default(std::string_view key, std::string value) {
  for (auto& [name, current] : settings_) {
    if (name == key) {
      if (!current) current = std::move(value);
      return true;
    }
  }
  return false;
}

std::string ConnInfo::to_string() const {
  std::string out;
  for (const auto& [name, value] : settings_) {
    if (!value) continue;
    if (!out.empty()) out += ' ';
    out += name + '=' + quote(*value);
  }
  return out;
}

std::string ConnInfo::redacted() const {
  std::string out;
  for (const auto& [name, value] : settings_) {
    if (!value) continue;
    if (!out.empty()) out += ' ';
    out += name + '=' + (name == "password" ? std::string("'***'") : quote(*value));
  }
  return out;
}

void set_tcp_keepalive_defaults(ConnInfo& info) {
  info.set_default("keepalives", "1");
  info.set_default("keepalives_idle", "30");
  info.set_default("keepalives_interval", "10");
  info.set_default("keepalives_count", "3");
  info.set_default("tcp_user_timeout", "60000");  // milliseconds
}

}  // namespace keyward::storage
