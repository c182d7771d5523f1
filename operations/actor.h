#pragma once
// Who runs an operation, for the audit events it reports (audit/event.h): the CLI
// ("cli") or an admin API client ("admin:<client_id>", with the request's address and id).
// The operations report their changes themselves, so both front ends report the same facts.
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "audit/event.h"

namespace keyward::operations {

struct Actor {
  std::string name;  // Event::actor
  std::string address;
  std::string request_id;

  [[nodiscard]] static Actor cli() { return Actor{"cli", {}, {}}; }
  [[nodiscard]] static Actor admin(const std::string& client_id, std::string address,
                                   std::string request_id) {
    return Actor{"admin:" + client_id, std::move(address), std::move(request_id)};
  }
};

// One event of `type` done by `actor`.
inline void report(audit::EventSink& events, const Actor& actor, audit::EventType type,
                   std::string user_id, std::string client_id,
                   nlohmann::json detail = nlohmann::json::object()) {
  audit::Event event;
  event.type = type;
  event.user_id = std::move(user_id);
  event.client_id = std::move(client_id);
  event.address = actor.address;
  event.request_id = actor.request_id;
  event.actor = actor.name;
  event.detail = std::move(detail);
  events.record(std::move(event));
}

}  // namespace keyward::operations
