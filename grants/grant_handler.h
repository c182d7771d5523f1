#pragma once
// The grant seam (STYLE.md §7.2): one GrantHandler per grant_type, found by a map lookup
// in the GrantRegistry. server/endpoints/token.cpp runs the stages every grant shares
// (form parsing, duplicate parameters, client authentication, unsupported_grant_type,
// unauthorized_client) and hands the handler only what it declared in parameters().
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "grants/client.h"
#include "grants/oauth_error.h"
#include "grants/scope.h"

namespace keyward::grants {

// What a handler may know about the HTTP request, without any HTTP type.
struct RequestMeta {
  std::string client_ip;   // for throttling sign-in per address
  std::string request_id;  // for logs
};

struct TokenRequest {
  std::string grant_type;
  // Only the handler's parameters(), each at most once (duplicates were refused before)
  // and never empty (RFC 6749 §3.1: a parameter without a value counts as omitted).
  std::map<std::string, std::string, std::less<>> params;
  RequestMeta meta;

  [[nodiscard]] std::optional<std::string_view> param(std::string_view name) const {
    auto it = params.find(name);
    if (it == params.end()) return std::nullopt;
    return std::string_view(it->second);
  }
};

// RFC 6749 §5.1.
struct TokenResponse {
  std::string access_token;
  std::chrono::seconds expires_in{0};
  std::string scope;  // always sent (RFC 6749 §5.1 allows it when unchanged)
  std::optional<std::string> refresh_token;
  std::optional<std::string> id_token;
  // Not sent: the user the tokens speak for ("" for client credentials), for the
  // token_issued audit event.
  std::string user_id;
};

class GrantHandler {
 public:
  virtual ~GrantHandler() = default;
  // The grant_type value it serves, e.g. "client_credentials".
  [[nodiscard]] virtual std::string_view grant_type() const = 0;
  // The request parameters it reads besides grant_type and the client's credentials;
  // everything else is dropped before handle().
  [[nodiscard]] virtual std::span<const std::string_view> parameters() const = 0;
  // Runs on the worker pool (database, Argon2). The client is authenticated and allowed
  // this grant type.
  [[nodiscard]] virtual OAuthResult<TokenResponse> handle(const TokenRequest& request,
                                                          const Client& client) = 0;
};

// RFC 6749 §3.3: the `scope` parameter, which must be a subset of what the client may
// ask for (invalid_scope otherwise); the client's whole allowance when it is omitted.
[[nodiscard]] OAuthResult<ScopeSet> requested_scope(const TokenRequest& request,
                                                    const ScopeSet& allowed);

}  // namespace keyward::grants
