#pragma once
// RFC 6750 on the resource server's side: the token from the Authorization request header
// (§2.1), and the error responses with their WWW-Authenticate challenge (§3). Plain strings in
// and out, so any HTTP stack can use it.
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "jose/status.h"

namespace keyward::rs {

// §2.1: `Authorization: Bearer <b64token>`. `authorization` holds every Authorization field of
// the request. nullopt when there is none or it uses another scheme (no token was sent: §3.1
// says such a challenge carries no error). An error (the description for invalid_request) for
// a repeated field, a Bearer field without a well-formed b64token, or a token in the query
// string as well (§3.1: "uses more than one method"; we accept only the header: tokens in URLs
// end up in logs, §2.3 and §5.3).
[[nodiscard]] Result<std::optional<std::string_view>, std::string> bearer_token(
    std::span<const std::string_view> authorization, bool access_token_in_query = false);

// One error answer of a protected resource (§3, §3.1).
struct BearerError {
  int status = 401;
  std::string error;  // "" (no token sent), invalid_request, invalid_token, insufficient_scope
  std::string description;  // error_description: printable ASCII without '"' or '\\' (§3)
  std::string scope;        // insufficient_scope: the scope the resource needs
  std::string www_authenticate;

  // {"error": ..., "error_description": ...}, error omitted when empty; the body is a courtesy,
  // the challenge is what RFC 6750 specifies.
  [[nodiscard]] nlohmann::json body() const;
};

// 401, `Bearer realm="..."` only.
[[nodiscard]] BearerError missing_token(std::string_view realm);
// 400 invalid_request.
[[nodiscard]] BearerError invalid_request(std::string_view realm, std::string_view description);
// 401 invalid_token, described from the verification status.
[[nodiscard]] BearerError invalid_token(std::string_view realm, jose::Status status);
// 403 insufficient_scope with scope="<needed>".
[[nodiscard]] BearerError insufficient_scope(std::string_view realm, std::string_view needed);

// A short, safe description of why a token was refused (never token contents).
[[nodiscard]] std::string_view describe(jose::Status status);

}  // namespace keyward::rs
