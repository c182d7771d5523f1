#pragma once
// Audit events: one record per security-relevant fact (who signed in, from where, with
// what result; which tokens were issued to whom; what an operator changed). Modules that
// see such a fact build an Event and hand it to an EventSink; they never wait for it to
// be stored (event_writer.h batches them into the `events` table off the request path).
//
// An event never holds a secret, a token, a code, a password or a link: only ids,
// names and small facts in `detail`.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace keyward::audit {

// The stored name of each type is the snake_case string type_name() returns; those names
// are an interface (the CLI, the admin API and dashboards filter by them): add, never rename.
enum class EventType {
  SignIn,                // a person signed in; detail.method "password" | "federated" (+ provider)
  SignInFailed,          // detail.reason: "bad_credentials" | "disabled" | "federation" ...
  SignInThrottled,       // a sign-in refused by the throttle before checking the password
  TokenIssued,           // detail.grant, detail.scope; refresh/id token flags; never the token
  ClientAuthFailed,      // a client failed to authenticate at /token, /introspect, /revoke
  RefreshReuseDetected,  // a rotated refresh token came back: its grant was revoked
  CodeReplayed,          // an authorization code came back: its grant was revoked
  ConsentGiven,
  ConsentRevoked,
  Logout,
  PasswordChanged,
  PasswordReset,
  UserCreated,
  UserChanged,  // detail.fields: the names of what changed, never the values
  UserDeleted,
  ClientCreated,
  ClientChanged,  // detail.fields likewise
  ClientDeleted,
  KeyRotated,  // detail.kid of the new signing key
  FederatedIdentityLinked,
  FederatedIdentityUnlinked,
};

[[nodiscard]] std::string_view type_name(EventType type);
[[nodiscard]] std::optional<EventType> parse_type(std::string_view name);
// Every type, in declaration order (for documentation, filters and metrics labels).
[[nodiscard]] const std::vector<EventType>& all_types();

struct Event {
  EventType type = EventType::SignIn;
  std::string user_id;    // the user it is about (uuid text); "" when none
  std::string client_id;  // the OAuth client involved; "" when none
  std::string address;    // the caller's address as the HTTP layer resolved it; "" outside HTTP
  std::string request_id;
  // Who acted, when it was not the user themselves: "admin:<client_id>" for the admin API,
  // "registration" for RFC 7591/7592 (client_id is then the client itself), "cli" for
  // `keyward …` commands, "system" for the server itself (key rotation). "" for a person's
  // own action.
  std::string actor;
  nlohmann::json detail = nlohmann::json::object();  // small; never secrets
  // When it happened; the sink fills it in when left at the epoch.
  std::chrono::system_clock::time_point at{};
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  // Never blocks on storage and never throws: an event that cannot be kept is counted as
  // dropped (event_writer.h), the request goes on.
  virtual void record(Event event) noexcept = 0;
};

// For tools and tests that have nowhere to keep events.
class NullEventSink final : public EventSink {
 public:
  void record(Event /*event*/) noexcept override {}
};

// Hands every event to each of several sinks (the writer, the metrics counters), in order.
class FanOutEventSink final : public EventSink {
 public:
  explicit FanOutEventSink(std::vector<EventSink*> sinks) : sinks_(std::move(sinks)) {}
  void record(Event event) noexcept override {
    for (std::size_t i = 0; i + 1 < sinks_.size(); ++i) {
      try {
        sinks_[i]->record(event);
      } catch (...) {  // NOLINT(bugprone-empty-catch): copying the event failed; skip this sink
      }
    }
    if (!sinks_.empty()) sinks_.back()->record(std::move(event));
  }

 private:
  std::vector<EventSink*> sinks_;
};

}  // namespace keyward::audit
