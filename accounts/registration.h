#pragma once
// Sign-up (docs/accounts.md "Registration"): checks a new account's details and password,
// creates the account with its address unverified, and sends the verification link.
#include <optional>
#include <string>
#include <variant>

#include "accounts/email_verification.h"
#include "common/result.h"
#include "grants/password_hash.h"
#include "storage/user_repository.h"

namespace keyward::accounts {

struct SignupDetails {
  std::string username;
  std::string email;
  std::string given_name;   // may be empty
  std::string family_name;  // may be empty
  std::string password;
};

// The field a refusal is about, as the sign-up form names it.
enum class SignupField { Username, Email, GivenName, FamilyName, Password };

struct SignupRefusal {
  SignupField field;
  std::string message;  // for people
};

// The first problem of `details`, in the form's order; nullopt when none.
[[nodiscard]] std::optional<SignupRefusal> signup_problem(const SignupDetails& details);

class Registration {
 public:
  Registration(storage::UserRepository& users, EmailVerification& verification,
               grants::Argon2Params argon2)
      : users_(users), verification_(verification), argon2_(argon2) {}

  struct Registered {
    storage::UserRecord user;
    // Why the verification mail could not be queued (the account exists all the same; the
    // account page can send another), said without the link.
    std::optional<std::string> mail_error;
  };

  // The new account, or the refusal to show (a taken username is one); the error is a
  // storage failure. Hashes with Argon2id: call from the worker pool.
  [[nodiscard]] Result<std::variant<Registered, SignupRefusal>, std::string> register_user(
      const SignupDetails& details, const MailRequester& requester);

 private:
  storage::UserRepository& users_;
  EmailVerification& verification_;
  grants::Argon2Params argon2_;
};

}  // namespace keyward::accounts
