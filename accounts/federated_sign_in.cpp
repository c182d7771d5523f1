#include "accounts/federated_sign_in.h"

#include "accounts/account_details.h"
#include "common/crypto.h"

namespace keyward::accounts {
namespace {

using Kind = FederatedOutcome::Kind;

FederatedOutcome refused(std::string message) {
  FederatedOutcome out;
  out.kind = Kind::Refused;
  out.message = std::move(message);
  return out;
}

FederatedOutcome signed_in(std::string user_id, bool created) {
  FederatedOutcome out;
  out.kind = Kind::SignIn;
  out.user_id = std::move(user_id);
  out.created = created;
  return out;
}

bool is_username_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// The allowed characters of `text`, starting at its first letter or digit.
std::string username_chars(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (!is_username_char(c)) continue;
    if (out.empty() && !is_alnum(c)) continue;
    out += c;
  }
  return out;
}

// `base` with a suffix, cut so the whole stays within the limit.
std::string with_suffix(const std::string& base, const std::string& suffix) {
  return base.substr(0, kMaxUsernameLength - suffix.size()) + suffix;
}

}  // namespace

std::string username_from_upstream(const UpstreamAccount& upstream) {
  std::string name;
  if (upstream.preferred_username) name = username_chars(*upstream.preferred_username);
  if (name.size() < 3 && upstream.email) {
    const auto at = upstream.email->find('@');
    name = username_chars(std::string_view(*upstream.email).substr(0, at));
  }
  if (name.size() < 3) name = username_chars(upstream.provider + "-" + upstream.subject);
  if (name.size() < 3) name = "user";
  name = name.substr(0, kMaxUsernameLength);
  if (username_problem(name)) name = "user";
  return name;
}

Result<FederatedOutcome, std::string> FederatedSignIn::sign_in(const UpstreamAccount& upstream) {
  return sign_in(upstream, true);
}

Result<FederatedOutcome, std::string> FederatedSignIn::sign_in(const UpstreamAccount& upstream,
                                                               bool may_create) {
  const std::string& label = upstream.provider_label;
  auto linked = identities_.find(upstream.provider, upstream.subject);
  if (!linked.ok()) return err("identity lookup: " + linked.error().message);
  if (*linked) {
    auto user = users_.find_by_id((*linked)->user_id);
    if (!user.ok()) return err("user lookup: " + user.error().message);
    if (!*user || (*user)->disabled) {
      auto out = refused("This account cannot sign in. Ask the operator of this service.");
      if (*user) {
        out.user_id = (*user)->id;
        out.refusal = "disabled";
      }
      return out;
    }
    (void)identities_.touch(upstream.provider, upstream.subject, upstream.email, clock_.now());
    return signed_in((*user)->id, false);
  }
  if (!may_create) {
    // The identity was linked a moment ago by a concurrent sign-in, and is gone again.
    return refused("Sign-in with " + label + " could not be completed. Start again.");
  }

  // Both sides vouch for the address: offer to link an account that has it, with the
  // account's password.
  if (upstream.email && upstream.email_verified) {
    auto owners = users_.find_by_email(*upstream.email, 10);
    if (!owners.ok()) return err("user lookup: " + owners.error().message);
    for (const auto& owner : *owners) {
      if (!owner.email_verified || owner.disabled) continue;
      FederatedOutcome out;
      out.kind = Kind::ConfirmLink;
      out.link_user = owner;
      return out;
    }
  }
  if (!registration_open_) {
    return refused("No account is linked to this " + label +
                   " account. Sign in with your password, or ask the operator for an account.");
  }
  return create_user(upstream);
}

Result<FederatedOutcome, std::string> FederatedSignIn::create_user(
    const UpstreamAccount& upstream) {
  using Outcome = storage::CreatedAndLinked::Outcome;
  storage::NewUser user;
  // Only an address the upstream verified: an unverified one on a new account would let
  // whoever controls the upstream account claim someone else's address here, and that
  // address's "Forgot your password?" mail would then hand them (or its owner) this account.
  if (upstream.email && upstream.email_verified && !email_problem(*upstream.email)) {
    user.email = upstream.email;
    user.email_verified = true;
  }
  if (upstream.given_name && !name_problem(*upstream.given_name, "given name")) {
    user.given_name = upstream.given_name;
  }
  if (upstream.family_name && !name_problem(*upstream.family_name, "family name")) {
    user.family_name = upstream.family_name;
  }
  const storage::NewFederatedIdentity identity{upstream.provider, upstream.subject, "",
                                               upstream.email};
  const std::string base = username_from_upstream(upstream);
  // A taken name gets a number, then a random suffix: sign-in never fails on a name.
  for (int attempt = 0; attempt < 8; ++attempt) {
    user.username = attempt == 0  ? base
                    : attempt < 5 ? with_suffix(base, "-" + std::to_string(attempt + 1))
                                  : with_suffix(base, "-" + to_hex(random_bytes(4)));
    auto created = identities_.create_user_and_link(user, identity);
    if (!created.ok()) return err("user insert: " + created.error().message);
    switch (created->outcome) {
      case Outcome::Created:
        return signed_in(created->user->id, true);
      case Outcome::UsernameTaken:
        continue;
      case Outcome::IdentityTaken:
        // The same identity signed in twice at once and the other one created its account
        // first (nothing was created here): sign in as that one, without creating again.
        return sign_in(upstream, false);
      case Outcome::Gone:
        break;
    }
    return refused("Sign-in with " + upstream.provider_label + " is no longer available.");
  }
  return err("no free username for " + base);
}

Result<FederatedOutcome, std::string> FederatedSignIn::confirm_link(
    const UpstreamAccount& upstream, const storage::UserRecord& user) {
  if (user.disabled) {
    return refused("This account cannot sign in. Ask the operator of this service.");
  }
  auto linked = identities_.link(
      storage::NewFederatedIdentity{upstream.provider, upstream.subject, user.id, upstream.email});
  if (!linked.ok()) return err("identity link: " + linked.error().message);
  switch (*linked) {
    case storage::LinkOutcome::Linked:
      return signed_in(user.id, false);
    case storage::LinkOutcome::IdentityTaken:
      return refused("This " + upstream.provider_label +
                     " account was linked to an account meanwhile. Start again.");
    case storage::LinkOutcome::ProviderAlreadyLinked:
      return refused("Your account is linked to another " + upstream.provider_label +
                     " account already. Unlink it on the account page first.");
    case storage::LinkOutcome::Gone:
      break;
  }
  return refused("This account no longer exists.");
}

}  // namespace keyward::accounts
