#pragma once
// A user with every profile and email claim set, for the tests of what an ID token or
// UserInfo releases (grants/id_token.h user_claims) and of what discovery advertises.
#include "grants/user.h"

namespace keyward::grants::test {

inline User alice() {
  User u;
  u.id = "0b9c2f52-6ad5-4e86-9c61-1b3f0c7d4a11";
  u.username = "alice";
  u.email = "alice@example.com";
  u.email_verified = true;
  u.given_name = "Alice";
  u.family_name = "Liddell";
  return u;
}

}  // namespace keyward::grants::test
