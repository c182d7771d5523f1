#pragma once
// Where an upstream provider may live. Its issuer and every endpoint its discovery document
// names must be https (RFC 9700 §2.6 for the authorization response; OIDC Discovery 1.0 §3
// for the rest), except plain http to a loopback host when the issuer itself is one: the
// tests' providers on 127.0.0.1, and a developer's local one. Never userinfo (a URL that
// says one host and connects to another) and never a fragment.
#include <optional>
#include <string>
#include <string_view>

namespace keyward::federation {

// The parts of an http(s) URL these checks need.
struct UrlParts {
  std::string scheme;  // lower-case: "http" or "https"
  std::string host;    // lower-case, without brackets for IPv6 ("::1")
  bool has_userinfo = false;
  bool has_query = false;
  bool has_fragment = false;
};

// nullopt when `url` is not an absolute http or https URL with a host, made of printable
// ASCII without spaces or backslashes.
[[nodiscard]] std::optional<UrlParts> split_http_url(std::string_view url);

// 127.0.0.1, ::1 or localhost.
[[nodiscard]] bool is_loopback_host(std::string_view host);

// True for http:// URLs to a loopback host.
[[nodiscard]] bool is_loopback_http(std::string_view url);

// nullopt when `issuer` may be registered: https (or http to a loopback host), at most 2000
// characters, no userinfo, query or fragment (OIDC Discovery 1.0 §3); else why not.
[[nodiscard]] std::optional<std::string> issuer_problem(std::string_view issuer);

// nullopt when an endpoint the upstream's discovery names (`what`: "token_endpoint", ...) is
// acceptable for an upstream whose issuer is `issuer`: https, or http to a loopback host
// when the issuer is http to a loopback host; no userinfo or fragment (a query is allowed:
// RFC 6749 §3.1).
[[nodiscard]] std::optional<std::string> endpoint_problem(std::string_view what,
                                                          std::string_view url,
                                                          std::string_view issuer);

}  // namespace keyward::federation
