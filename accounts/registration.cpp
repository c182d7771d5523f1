#include "accounts/registration.h"

#include "accounts/account_details.h"
#include "accounts/password_policy.h"

namespace keyward::accounts {
namespace {

constexpr std::string_view kUsernameTakenMessage = "That username is taken. Choose another one.";

std::optional<std::string> optional_text(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

}  // namespace

std::optional<SignupRefusal> signup_problem(const SignupDetails& d) {
  if (auto p = username_problem(d.username)) return SignupRefusal{SignupField::Username, *p};
  if (auto p = email_problem(d.email)) return SignupRefusal{SignupField::Email, *p};
  if (auto p = name_problem(d.given_name, "Given name")) {
    return SignupRefusal{SignupField::GivenName, *p};
  }
  if (auto p = name_problem(d.family_name, "Family name")) {
    return SignupRefusal{SignupField::FamilyName, *p};
  }
  if (auto p = password_problem(d.password, d.username)) {
    return SignupRefusal{SignupField::Password, *p};
  }
  return std::nullopt;
}

Result<std::variant<Registration::Registered, SignupRefusal>, std::string>
Registration::register_user(const SignupDetails& details, const MailRequester& requester) {
  using Answer = std::variant<Registered, SignupRefusal>;
  if (auto refusal = signup_problem(details)) return Answer(*refusal);
  // A quick look first spares the Argon2 hash for a taken name; the insert's unique
  // constraint still decides when two sign-ups race for one.
  auto existing = users_.find_by_username(details.username);
  if (!existing.ok()) return err("users: " + existing.error().message);
  if (*existing) {
    return Answer(SignupRefusal{SignupField::Username, std::string(kUsernameTakenMessage)});
  }
  storage::NewUser user{details.username, details.email, optional_text(details.given_name),
                        optional_text(details.family_name),
                        grants::hash_password(details.password, argon2_)};
  auto inserted = users_.insert(user);
  if (!inserted.ok()) {
    if (inserted.error().code == storage::StorageErrorCode::UniqueViolation) {
      return Answer(SignupRefusal{SignupField::Username, std::string(kUsernameTakenMessage)});
    }
    return err("users: " + inserted.error().message);
  }
  Registered registered{std::move(inserted).value(), std::nullopt};
  if (auto sent = verification_.send(registered.user, requester); !sent.ok()) {
    registered.mail_error = sent.error();
  }
  return Answer(std::move(registered));
}

}  // namespace keyward::accounts
