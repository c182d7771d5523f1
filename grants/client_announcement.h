#pragma once
// How a change to a client reaches every running instance before the command that made it
// returns. Each instance caches clients (client_cache.h); a change is announced with
// NOTIFY keyward_clients '<client_id>', which PostgreSQL delivers asynchronously after the
// change commits. Waiting for that alone left a few milliseconds in which another instance
// still accepted a rotated secret. So each instance confirms: once it has dropped the
// client from its cache it answers NOTIFY keyward_clients_ack '<client_id>', and the
// command waits until every instance that was listening (counted by its listener's
// application_name) has confirmed.
#include <chrono>
#include <cstddef>
#include <string_view>

#include "common/result.h"
#include "storage/database.h"

namespace keyward::grants {

inline constexpr std::string_view kClientsAckChannel = "keyward_clients_ack";
// The application_name of every instance's clients listener: the count to wait for.
inline constexpr std::string_view kClientsListenerName = "keyward-clients";

struct ClientAnnouncement {
  size_t listening = 0;  // instances listening when the change was announced
  size_t confirmed = 0;  // of those, how many confirmed before the time-out
};

// Announces a change to `client_id` and waits (at most `timeout`) for every listening
// instance to confirm. `conninfo` opens the connection that listens for confirmations.
// The error says why nothing could be announced.
[[nodiscard]] Result<ClientAnnouncement, std::string> announce_client_change(
    storage::Database& database, std::string_view conninfo, std::string_view client_id,
    std::chrono::milliseconds timeout);

// An instance's side: called once its cache has dropped `client_id`.
void confirm_client_change(storage::Database& database, std::string_view client_id);

}  // namespace keyward::grants
