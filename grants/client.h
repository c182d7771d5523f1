#pragma once
// A registered OAuth client (RFC 6749 §2; metadata names from RFC 7591 §2), as grants
// and endpoints see it: no secret material here (see client_secret.h).
#include <string>
#include <string_view>
#include <vector>

namespace keyward::grants {

struct Client {
  std::string id;
  std::string name;
  // RFC 6749 §2.1: confidential clients hold a secret; public ones (native apps, SPAs)
  // cannot keep one and identify with client_id alone.
  bool confidential = true;
  bool first_party = false;                // skips the consent page
  bool may_introspect = false;             // RFC 7662: answered about any access token
  std::string token_endpoint_auth_method;  // client_secret_basic | client_secret_post | none
  std::vector<std::string> grant_types, scopes, redirect_uris, post_logout_redirect_uris, audiences;

  [[nodiscard]] bool allows_grant(std::string_view grant_type) const;
  [[nodiscard]] bool operator==(const Client&) const = default;
};

}  // namespace keyward::grants
