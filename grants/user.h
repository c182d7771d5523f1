#pragma once
// An end user (the resource owner of RFC 6749 §1.1) as grants see it: no password hash.
#include <string>

#include "storage/user_repository.h"

namespace keyward::grants {

struct User {
  std::string id;  // the OIDC `sub`: a UUID, stable, never reassigned, not the username
  std::string username, email, given_name, family_name;  // lower-cased username; "" = unset
  bool email_verified = false;
  bool disabled = false;

  [[nodiscard]] bool operator==(const User&) const = default;
};

// The stored row without its password hash; unset optional fields become "".
[[nodiscard]] User to_user(const storage::UserRecord& record);

}  // namespace keyward::grants
