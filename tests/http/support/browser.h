#pragma once
// What black-box tests of the browser flow share: form encoding, reading a page's hidden
// fields and a redirect's query, and a Browser with a cookie jar that sends requests from
// its own address (X-Forwarded-For from loopback, a trusted proxy, so the per-address
// throttles of one test never reach another).
#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/http/support/http_client.h"
#include "tests/support/encoding.h"

namespace keyward::test {

using Params = std::vector<std::pair<std::string, std::string>>;

// application/x-www-form-urlencoded, every name and value percent-encoded.
[[nodiscard]] std::string encode(const Params& params);
// The same, for a literal list of names and values.
[[nodiscard]] std::string form(
    std::initializer_list<std::pair<std::string_view, std::string_view>> params);
// The five entities the templates write.
[[nodiscard]] std::string html_unescape(std::string s);
// The hidden inputs of a page's form, as a browser would send them back.
[[nodiscard]] Params hidden_fields(const std::string& html);
// The query of a redirect Location, decoded (throws on a malformed one).
[[nodiscard]] std::map<std::string, std::string> query_of(const std::string& location);

class Browser {
 public:
  Browser(uint16_t port, std::string address) : port_(port), address_(std::move(address)) {}
  // With a User-Agent header on every request (none by default).
  Browser(uint16_t port, std::string address, std::string user_agent)
      : port_(port), address_(std::move(address)), user_agent_(std::move(user_agent)) {}

  Response get(const std::string& target);
  Response post(const std::string& target, const Params& form);
  // Follows a Location the server sent (relative ones are relative to /).
  Response follow(const Response& r);

  // The Cookie header it sends ("" when the jar is empty).
  [[nodiscard]] std::string cookie() const;
  [[nodiscard]] std::string session_cookie() const;

 private:
  [[nodiscard]] std::string headers() const;
  Response keep(Response r);

  uint16_t port_;
  std::string address_;
  std::string user_agent_;
  std::map<std::string, std::string> cookies_;
};

}  // namespace keyward::test
