#pragma once
// Redirect URIs: what a client may register (RFC 6749 §3.1.2, RFC 9700 §2.1,
// RFC 8252 §7) and how a request's redirect_uri is matched (exactly, character
// for character: RFC 9700 §4.1.3).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace keyward::grants {

// nullopt when the URI may be registered, else why not: not absolute, a fragment,
// userinfo, a javascript:/data:/file:/vbscript: scheme, or plain http to anything
// but a loopback host.
[[nodiscard]] std::optional<std::string> redirect_uri_problem(std::string_view uri);

// Simple string comparison (RFC 3986 §6.2.1): no normalisation, no prefix match.
[[nodiscard]] bool redirect_uri_registered(std::string_view requested,
                                           const std::vector<std::string>& registered);

}  // namespace keyward::grants
