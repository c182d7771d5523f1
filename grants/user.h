#pragma once
// An end user (the resource owner of RFC 6749 §1.1) as grants see it: no password hash.
#include <string>

namespace keyward::grants {

struct User {
  std::string id;  // the OIDC `sub`: a UUID, stable, never reassigned, not the username
  std::string username, email, given_name, family_name;  // lower-cased username; "" = unset
  bool email_verified = false;
  bool disabled = false;

  [[nodiscard]] bool operator==(const User&) const = default;
};

}  // namespace keyward::grants
