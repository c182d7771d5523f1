#include "tests/http/support/browser.h"

#include <regex>
#include <stdexcept>

#include "http/form.h"
#include "http/headers.h"

namespace keyward::test {

std::string encode(const Params& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    out += http::form_urlencode(k) + "=" + http::form_urlencode(v);
  }
  return out;
}

std::string form(std::initializer_list<std::pair<std::string_view, std::string_view>> params) {
  Params copy;
  for (const auto& [k, v] : params) copy.emplace_back(k, v);
  return encode(copy);
}

std::string html_unescape(std::string s) {
  const std::pair<std::string, std::string> entities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}};
  for (const auto& [from, to] : entities) {
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
      s.replace(at, from.size(), to);
    }
  }
  return s;
}

Params hidden_fields(const std::string& html) {
  Params out;
  static const std::regex input(R"re(<input type="hidden" name="([^"]*)" value="([^"]*)">)re");
  for (std::sregex_iterator it(html.begin(), html.end(), input), end; it != end; ++it) {
    out.emplace_back(html_unescape((*it)[1]), html_unescape((*it)[2]));
  }
  return out;
}

std::map<std::string, std::string> query_of(const std::string& location) {
  std::map<std::string, std::string> out;
  const auto q = location.find('?');
  if (q == std::string::npos) return out;
  auto parsed = http::parse_form_urlencoded(location.substr(q + 1));
  if (!parsed.ok()) throw std::runtime_error("bad query in " + location);
  for (const auto& p : parsed->items()) out[p.name] = p.value;
  return out;
}

Response Browser::get(const std::string& target) {
  return keep(test::get(port_, target, headers()));
}

Response Browser::post(const std::string& target, const Params& form) {
  return keep(
      test::post(port_, target, encode(form), "application/x-www-form-urlencoded", headers()));
}

Response Browser::follow(const Response& r) {
  const auto location = r.header("Location");
  if (!location) throw std::runtime_error("no Location in " + r.status_line);
  return get(location->front() == '/' ? *location : "/" + *location);
}

std::string Browser::cookie() const {
  std::string out;
  for (const auto& [name, value] : cookies_) out += (out.empty() ? "" : "; ") + name + "=" + value;
  return out;
}

std::string Browser::session_cookie() const {
  const auto it = cookies_.find("keyward_session");
  return it == cookies_.end() ? "" : it->second;
}

std::string Browser::headers() const {
  std::string h = "X-Forwarded-For: " + address_ + "\r\n";
  if (!user_agent_.empty()) h += "User-Agent: " + user_agent_ + "\r\n";
  if (!cookies_.empty()) h += "Cookie: " + cookie() + "\r\n";
  return h;
}

// Every cookie by name, as a browser keeps them; Max-Age=0 removes one.
Response Browser::keep(Response r) {
  for (const auto& [name, value] : r.headers) {
    if (!iequals(name, "Set-Cookie")) continue;
    const std::string pair = value.substr(0, value.find(';'));
    const auto eq = pair.find('=');
    if (value.find("Max-Age=0") != std::string::npos) {
      cookies_.erase(pair.substr(0, eq));
    } else {
      cookies_[pair.substr(0, eq)] = pair.substr(eq + 1);
    }
  }
  return r;
}

}  // namespace keyward::test
