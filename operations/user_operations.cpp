#include "operations/user_operations.h"

#include <algorithm>
#include <cctype>

#include "common/text.h"

namespace keyward::operations {

namespace {

using nlohmann::ordered_json;

constexpr size_t kMaxUsername = 255;
constexpr size_t kMaxName = 200;

std::optional<std::string> username_problem(std::string_view username) {
  if (username.empty()) return "the username cannot be empty";
  if (username.size() > kMaxUsername) {
    return "the username is longer than " + std::to_string(kMaxUsername) + " bytes";
  }
  if (has_space_or_control(username)) return "the username contains spaces or control characters";
  return std::nullopt;
}

std::optional<std::string> email_problem(std::string_view email) {
  const size_t at = email.find('@');
  if (email.size() < 3 || email.size() > 320 || at == std::string_view::npos || at == 0 ||
      at + 1 == email.size() || email.find('@', at + 1) != std::string_view::npos ||
      has_space_or_control(email)) {
    return "'" + std::string(email) + "' is not an email address (local@domain, at most 320 bytes)";
  }
  return std::nullopt;
}

std::optional<std::string> name_problem(std::string_view what, std::string_view name) {
  if (name.empty()) return std::string(what) + " cannot be empty (leave the option out)";
  if (name.size() > kMaxName) {
    return std::string(what) + " is longer than " + std::to_string(kMaxName) + " bytes";
  }
  if (has_control(name)) return std::string(what) + " contains control characters";
  return std::nullopt;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

ordered_json optional_text(const std::optional<std::string>& value) {
  return value ? ordered_json(*value) : ordered_json(nullptr);
}

OperationError no_such_user(const UserRef& user) {
  return OperationError::not_found(
      (user.by == UserRef::By::Username ? "no user '" : "no user with id '") + user.value + "'");
}

}  // namespace

ordered_json describe_user(const storage::UserRecord& u) {
  ordered_json j;
  j["id"] = u.id;
  j["username"] = u.username;
  j["email"] = optional_text(u.email);
  j["email_verified"] = u.email_verified;
  j["given_name"] = optional_text(u.given_name);
  j["family_name"] = optional_text(u.family_name);
  j["disabled"] = u.disabled;
  j["created_at"] = unix_seconds(u.created_at);
  j["updated_at"] = unix_seconds(u.updated_at);
  return j;
}

// Never the session's id or its digest: the ids are bearer secrets.
ordered_json describe_session(const storage::UserSession& s) {
  ordered_json j;
  j["created_at"] = unix_seconds(s.created_at);
  j["last_seen_at"] = unix_seconds(s.last_seen_at);
  j["ip_address"] = optional_text(s.ip_address);
  j["user_agent"] = optional_text(s.user_agent);
  return j;
}

ordered_json describe_revocation(const storage::RevokedAccess& revoked) {
  return {{"grants", revoked.grants_revoked}, {"sessions", revoked.sessions_ended}};
}

std::optional<OperationError> new_user_problem(const NewUserInput& user) {
  if (auto p = username_problem(user.username)) return OperationError::invalid(*p, "username");
  if (user.email) {
    if (auto p = email_problem(*user.email)) return OperationError::invalid(*p, "email");
  }
  if (user.given_name) {
    if (auto p = name_problem("the given name", *user.given_name)) {
      return OperationError::invalid(*p, "given_name");
    }
  }
  if (user.family_name) {
    if (auto p = name_problem("the family name", *user.family_name)) {
      return OperationError::invalid(*p, "family_name");
    }
  }
  return std::nullopt;
}

std::optional<OperationError> operator_password_problem(std::string_view password) {
  if (password.size() < kMinOperatorPassword) {
    return OperationError::invalid(
        "the password must be at least " + std::to_string(kMinOperatorPassword) + " bytes",
        "password");
  }
  if (password.size() > kMaxOperatorPassword) {
    return OperationError::invalid(
        "the password is longer than " + std::to_string(kMaxOperatorPassword) + " bytes",
        "password");
  }
  return std::nullopt;
}

UserOperations::UserOperations(storage::Database& database, grants::Argon2Params argon2,
                               std::chrono::seconds session_idle_timeout, audit::EventSink& events,
                               Actor actor)
    : database_(database),
      argon2_(argon2),
      session_idle_timeout_(session_idle_timeout),
      events_(&events),
      actor_(std::move(actor)) {}

UserOperations UserOperations::acting(Actor actor) const {
  UserOperations copy = *this;
  copy.actor_ = std::move(actor);
  return copy;
}

Result<std::vector<storage::UserRecord>, OperationError> UserOperations::list() {
  storage::UserRepository users(database_);
  auto listed = users.list();
  if (!listed.ok()) return err(OperationError::from_storage(listed.error()));
  return std::move(listed).value();
}

Result<Page<storage::UserRecord>, OperationError> UserOperations::list_page(
    const UserFilter& filter, const PageRequest& page) {
  auto listed = list();
  if (!listed.ok()) return err(listed.error());
  std::vector<storage::UserRecord> kept;
  const std::string needle = filter.search ? lower(*filter.search) : "";
  for (auto& u : *listed) {
    if (filter.search && u.username.find(needle) == std::string::npos &&
        (!u.email || lower(*u.email).find(needle) == std::string::npos)) {
      continue;
    }
    kept.push_back(std::move(u));
  }
  return page_of(
      std::move(kept), [](const storage::UserRecord& u) { return u.username; }, page);
}

Result<storage::UserRecord, OperationError> UserOperations::show(const UserRef& user) {
  storage::UserRepository users(database_);
  auto found = user.by == UserRef::By::Username ? users.find_by_username(user.value)
                                                : users.find_by_id(user.value);
  if (!found.ok()) {
    // An id that is not a UUID is simply no user (PostgreSQL refuses to compare it).
    if (user.by == UserRef::By::Id &&
        found.error().code != storage::StorageErrorCode::Unavailable) {
      return err(no_such_user(user));
    }
    return err(OperationError::from_storage(found.error()));
  }
  if (!found->has_value()) return err(no_such_user(user));
  return std::move(**found);
}

Result<storage::UserRecord, OperationError> UserOperations::create(const NewUserInput& input,
                                                                   const std::string& password) {
  if (auto problem = new_user_problem(input)) return err(*problem);
  if (auto problem = operator_password_problem(password)) return err(*problem);
  storage::NewUser user;
  user.username = input.username;
  user.email = input.email;
  user.given_name = input.given_name;
  user.family_name = input.family_name;
  user.password_hash = grants::hash_password(password, argon2_);
  storage::UserRepository users(database_);
  auto inserted = users.insert(user);
  if (!inserted.ok()) {
    const auto& e = inserted.error();
    if (e.code == storage::StorageErrorCode::UniqueViolation &&
        e.constraint == storage::kUsernameTaken) {
      return err(OperationError::conflict(
          "the username '" + user.username + "' is taken (usernames are case-insensitive)",
          "username"));
    }
    return err(OperationError::from_storage(e));
  }
  report(*events_, actor_, audit::EventType::UserCreated, inserted->id, "",
         {{"method", "operator"}});
  return std::move(inserted).value();
}

Result<storage::UserRecord, OperationError> UserOperations::update_profile(
    const UserRef& ref, const UserProfileChange& change) {
  auto user = show(ref);
  if (!user.ok()) return err(user.error());
  storage::ProfileUpdate profile{user->given_name, user->family_name, user->email};
  NewUserInput check{user->username, {}, {}, {}};
  const auto take = [](const std::optional<std::string>& given, std::optional<std::string>& into,
                       std::optional<std::string>& checked) {
    if (!given) return;
    into = given->empty() ? std::nullopt : given;
    checked = into;
  };
  take(change.email, profile.email, check.email);
  take(change.given_name, profile.given_name, check.given_name);
  take(change.family_name, profile.family_name, check.family_name);
  if (auto problem = new_user_problem(check)) return err(*problem);
  storage::AccountRepository accounts(database_);
  auto updated = accounts.update_profile(user->id, profile);
  if (!updated.ok()) return err(OperationError::from_storage(updated.error()));
  if (!updated->has_value()) return err(no_such_user(ref));
  const storage::UserRecord& stored = **updated;
  std::vector<std::string> fields;
  if (stored.email != user->email) fields.emplace_back("email");
  if (stored.given_name != user->given_name) fields.emplace_back("given_name");
  if (stored.family_name != user->family_name) fields.emplace_back("family_name");
  if (!fields.empty()) {
    report(*events_, actor_, audit::EventType::UserChanged, stored.id, "", {{"fields", fields}});
  }
  return std::move(**updated);
}

namespace {
using Change = Result<std::optional<storage::RevokedAccess>, storage::StorageError>;
}

#define KEYWARD_FINISH_CHANGE(changed, ref)                                         \
  if (!(changed).ok()) return err(OperationError::from_storage((changed).error())); \
  if (!(changed)->has_value()) return err(no_such_user(ref));

Result<UserWithRevocation, OperationError> UserOperations::set_disabled(const UserRef& ref,
                                                                        bool disabled,
                                                                        TimePoint now) {
  auto user = show(ref);
  if (!user.ok()) return err(user.error());
  storage::UserRepository users(database_);
  Change changed = users.set_disabled(user->username, disabled, now);
  KEYWARD_FINISH_CHANGE(changed, ref)
  auto after = show(UserRef::username(user->username));
  if (!after.ok()) return err(after.error());
  UserWithRevocation out{std::move(after).value(), std::nullopt};
  if (disabled) out.revoked = **changed;
  report(*events_, actor_, audit::EventType::UserChanged, out.user.id, "",
         {{"fields", nlohmann::json::array({"disabled"})}, {"disabled", disabled}});
  return out;
}

Result<UserWithRevocation, OperationError> UserOperations::set_password(const UserRef& ref,
                                                                        const std::string& password,
                                                                        TimePoint now) {
  if (auto problem = operator_password_problem(password)) return err(*problem);
  auto user = show(ref);
  if (!user.ok()) return err(user.error());
  storage::UserRepository users(database_);
  Change changed =
      users.set_password_hash(user->username, grants::hash_password(password, argon2_), now);
  KEYWARD_FINISH_CHANGE(changed, ref)
  report(*events_, actor_, audit::EventType::PasswordChanged, user->id, "");
  auto after = show(UserRef::username(user->username));
  if (!after.ok()) return err(after.error());
  return UserWithRevocation{std::move(after).value(), **changed};
}

Result<UserWithRevocation, OperationError> UserOperations::revoke(const UserRef& ref,
                                                                  TimePoint now) {
  auto user = show(ref);
  if (!user.ok()) return err(user.error());
  storage::UserRepository users(database_);
  Change changed = users.revoke_access(user->username, now);
  KEYWARD_FINISH_CHANGE(changed, ref)
  auto after = show(UserRef::username(user->username));
  if (!after.ok()) return err(after.error());
  return UserWithRevocation{std::move(after).value(), **changed};
}

#undef KEYWARD_FINISH_CHANGE

// The operator vouches for the address (a user who cannot receive the link, an address
// checked another way).
Result<storage::UserRecord, OperationError> UserOperations::verify_email(const UserRef& ref) {
  std::string username = ref.value;
  if (ref.by == UserRef::By::Id) {
    auto user = show(ref);
    if (!user.ok()) return err(user.error());
    username = user->username;
  }
  storage::AccountRepository accounts(database_);
  auto marked = accounts.mark_email_verified(username);
  if (!marked.ok()) return err(OperationError::from_storage(marked.error()));
  if (*marked == storage::EmailVerificationMark::NoSuchUser) return err(no_such_user(ref));
  if (*marked == storage::EmailVerificationMark::NoEmail) {
    return err(OperationError::conflict(
        "the user '" + username +
        "' has no e-mail address to verify (set one on the account page)"));
  }
  auto verified = show(UserRef::username(username));
  if (verified.ok()) {
    report(*events_, actor_, audit::EventType::UserChanged, verified->id, "",
           {{"fields", nlohmann::json::array({"email_verified"})}});
  }
  return verified;
}

Result<std::vector<storage::UserSession>, OperationError> UserOperations::sessions(
    const UserRef& ref, TimePoint now) {
  auto user = show(ref);
  if (!user.ok()) return err(user.error());
  storage::AccountRepository accounts(database_);
  auto sessions = accounts.sessions(user->id, now, session_idle_timeout_);
  if (!sessions.ok()) return err(OperationError::from_storage(sessions.error()));
  return std::move(sessions).value();
}

Result<uint64_t, OperationError> UserOperations::end_sessions(const UserRef& ref, TimePoint now) {
  auto user = show(ref);
  if (!user.ok()) return err(user.error());
  storage::AccountRepository accounts(database_);
  auto ended = accounts.end_all_sessions(user->id, now);
  if (!ended.ok()) return err(OperationError::from_storage(ended.error()));
  return *ended;
}

Result<std::vector<storage::ConnectedApplication>, OperationError> UserOperations::consents(
    const UserRef& ref, TimePoint now) {
  auto user = show(ref);
  if (!user.ok()) return err(user.error());
  storage::AccountRepository accounts(database_);
  auto apps = accounts.applications(user->id, now);
  if (!apps.ok()) return err(OperationError::from_storage(apps.error()));
  return std::move(apps).value();
}

Result<Unit, OperationError> UserOperations::revoke_consent(const UserRef& ref,
                                                            const std::string& client_id,
                                                            TimePoint now) {
  auto user = show(ref);
  if (!user.ok()) return err(user.error());
  storage::AccountRepository accounts(database_);
  auto revoked = accounts.revoke_application(user->id, client_id, now);
  if (!revoked.ok()) return err(OperationError::from_storage(revoked.error()));
  if (!*revoked) {
    return err(OperationError::not_found("the user has no consent or live grant for client '" +
                                         client_id + "'"));
  }
  report(*events_, actor_, audit::EventType::ConsentRevoked, user->id, client_id);
  return Unit{};
}

Result<Unit, OperationError> UserOperations::remove(const UserRef& ref, TimePoint now) {
  auto user = show(ref);
  if (!user.ok()) return err(user.error());
  storage::AccountRepository accounts(database_);
  auto removed = accounts.delete_user(user->id, user->password_hash, now);
  if (!removed.ok()) return err(OperationError::from_storage(removed.error()));
  if (!*removed) {
    return err(OperationError::conflict("the user changed while being deleted: try again"));
  }
  report(*events_, actor_, audit::EventType::UserDeleted, user->id, "");
  return Unit{};
}

}  // namespace keyward::operations
