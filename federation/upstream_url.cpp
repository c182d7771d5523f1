#include "federation/upstream_url.h"

#include <cctype>

namespace keyward::federation {
namespace {

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool printable_without_space(std::string_view text) {
  for (unsigned char c : text) {
    if (c <= 0x20 || c >= 0x7f || c == '\\') return false;
  }
  return true;
}

constexpr size_t kMaxUrl = 2000;

}  // namespace

std::optional<UrlParts> split_http_url(std::string_view url) {
  if (url.empty() || url.size() > kMaxUrl || !printable_without_space(url)) return std::nullopt;
  const size_t colon = url.find("://");
  if (colon == std::string_view::npos) return std::nullopt;
  UrlParts parts;
  parts.scheme = to_lower(url.substr(0, colon));
  if (parts.scheme != "http" && parts.scheme != "https") return std::nullopt;
  const std::string_view rest = url.substr(colon + 3);
  const size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    parts.has_userinfo = true;
    authority.remove_prefix(at + 1);
  }
  std::string_view host = authority;
  if (host.starts_with('[')) {
    const size_t close = host.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = host.substr(1, close - 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  if (host.empty()) return std::nullopt;
  parts.host = to_lower(host);
  const size_t fragment = rest.find('#');
  parts.has_fragment = fragment != std::string_view::npos;
  parts.has_query = rest.substr(0, fragment).find('?') != std::string_view::npos;
  return parts;
}

bool is_loopback_host(std::string_view host) {
  return host == "127.0.0.1" || host == "::1" || host == "localhost";
}

bool is_loopback_http(std::string_view url) {
  const auto parts = split_http_url(url);
  return parts && parts->scheme == "http" && is_loopback_host(parts->host);
}

std::optional<std::string> issuer_problem(std::string_view issuer) {
  const auto parts = split_http_url(issuer);
  if (!parts) {
    return "the issuer must be an absolute https URL of at most 2000 printable characters";
  }
  if (parts->has_userinfo || parts->has_query || parts->has_fragment) {
    return "the issuer must not contain userinfo, a query or a fragment (OIDC Discovery 1.0 §3)";
  }
  if (parts->scheme == "http" && !is_loopback_host(parts->host)) {
    return "the issuer must use https (plain http only for 127.0.0.1, [::1] or localhost)";
  }
  return std::nullopt;
}

std::optional<std::string> endpoint_problem(std::string_view what, std::string_view url,
                                            std::string_view issuer) {
  const std::string name(what);
  const auto parts = split_http_url(url);
  if (!parts) return name + " is not an absolute http(s) URL";
  if (parts->has_userinfo || parts->has_fragment) {
    return name + " must not contain userinfo or a fragment";
  }
  if (parts->scheme == "http" && !(is_loopback_host(parts->host) && is_loopback_http(issuer))) {
    return name + " must use https";
  }
  return std::nullopt;
}

}  // namespace keyward::federation
