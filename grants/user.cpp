#include "grants/user.h"

namespace keyward::grants {

User to_user(const storage::UserRecord& record) {
  User user;
  user.id = record.id;
  user.username = record.username;
  user.email = record.email.value_or("");
  user.email_verified = record.email_verified;
  user.given_name = record.given_name.value_or("");
  user.family_name = record.family_name.value_or("");
  user.disabled = record.disabled;
  return user;
}

}  // namespace keyward::grants
