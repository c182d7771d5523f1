#include "grants/redirect_uri.h"

#include <uriparser/Uri.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace keyward::grants {
namespace {

std::string range(const UriTextRangeA& r) {
  if (r.first == nullptr || r.afterLast == nullptr) return {};
  return std::string(r.first, r.afterLast);
}

bool present(const UriTextRangeA& r) {
  return r.first != nullptr;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

std::optional<std::string> redirect_uri_problem(std::string_view text) {
  if (text.empty()) return "redirect URI is empty";
  if (text.size() > 2000) return "redirect URI is longer than 2000 characters";
  for (unsigned char c : text) {
    if (c <= 0x20 || c >= 0x7f) return "redirect URI contains whitespace or non-ASCII characters";
  }
  const std::string s(text);
  UriUriA uri;
  const char* error_pos = nullptr;
  if (uriParseSingleUriA(&uri, s.c_str(), &error_pos) != URI_SUCCESS) {
    return "redirect URI is not a valid URI";
  }
  std::unique_ptr<UriUriA, decltype(&uriFreeUriMembersA)> guard(&uri, &uriFreeUriMembersA);

  const std::string scheme = lower(range(uri.scheme));
  if (scheme.empty()) return "redirect URI must be absolute";
  if (present(uri.fragment)) return "redirect URI must not contain a fragment";
  if (scheme == "javascript" || scheme == "data" || scheme == "file" || scheme == "vbscript") {
    return "redirect URI scheme " + scheme + ": is not allowed";
  }
  if (present(uri.userInfo)) return "redirect URI must not contain userinfo";
  if (scheme == "http" || scheme == "https") {
    const std::string host = lower(range(uri.hostText));
    if (host.empty()) return "redirect URI must name a host";
    // RFC 8252 §8.3 and RFC 9700 §2.1: plain http only to the loopback interface.
    if (scheme == "http" && host != "localhost" && host != "127.0.0.1" && host != "::1") {
      return "redirect URI must use https (plain http only for localhost, 127.0.0.1 or [::1])";
    }
  }
  return std::nullopt;
}

bool redirect_uri_registered(std::string_view requested,
                             const std::vector<std::string>& registered) {
  return std::any_of(registered.begin(), registered.end(),
                     [&](const std::string& r) { return r == requested; });
}

}  // namespace keyward::grants
