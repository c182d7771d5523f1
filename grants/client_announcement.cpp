#include "grants/client_announcement.h"

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "grants/client_cache.h"
#include "storage/listener.h"

namespace keyward::grants {

Result<ClientAnnouncement, std::string> announce_client_change(storage::Database& database,
                                                               std::string_view conninfo,
                                                               std::string_view client_id,
                                                               std::chrono::milliseconds timeout) {
  struct Confirmations {
    std::mutex mutex;
    std::condition_variable changed;
    size_t count = 0;
  };
  auto confirmations = std::make_shared<Confirmations>();
  const std::string id(client_id);
  auto listener =
      storage::Listener::start(conninfo, {std::string(kClientsAckChannel)},
                               [confirmations, id](const std::string&, const std::string& payload) {
                                 if (payload != id) return;
                                 std::lock_guard lock(confirmations->mutex);
                                 ++confirmations->count;
                                 confirmations->changed.notify_all();
                               });
  if (!listener.ok()) return err(listener.error());
  // Listening for confirmations first, then counting who must confirm, then announcing:
  // an instance that starts after the count re-reads everything when it connects.
  const bool listening_for_acks = (*listener)->wait_until_listening(timeout);
  ClientAnnouncement outcome;
  auto instances = database.count_connections(kClientsListenerName);
  if (!instances.ok()) return err(instances.error().message);
  outcome.listening = *instances;
  auto sent = database.notify(kClientsChannel, client_id);
  if (!sent.ok()) return err(sent.error().message);
  if (!listening_for_acks) return outcome;  // nobody could be heard confirming

  std::unique_lock lock(confirmations->mutex);
  confirmations->changed.wait_for(lock, timeout,
                                  [&] { return confirmations->count >= outcome.listening; });
  outcome.confirmed = std::min(confirmations->count, outcome.listening);
  return outcome;
}

void confirm_client_change(storage::Database& database, std::string_view client_id) {
  // A lost confirmation costs the announcing command only its wait (it then warns), so
  // a failure here is not worth more than that.
  (void)database.notify(kClientsAckChannel, client_id);
}

}  // namespace keyward::grants
