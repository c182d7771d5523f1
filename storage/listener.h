#pragma once
// LISTEN on a dedicated connection, with a background thread that hands every
// notification to a callback. The key manager and the client cache use it so every
// instance learns within seconds that signing keys (or clients) changed; DESIGN.md "Shape".
//
// Notifications sent while the connection is down are lost (PostgreSQL keeps none for
// absent listeners), so on_connected runs after every (re)connection: re-read the
// state there. The thread reconnects by itself, with back-off, for as long as it lives.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/result.h"

namespace keyward::storage {

class Listener {
 public:
  // Both callbacks run on the listener's thread: keep them short. Exceptions they throw
  // are caught and dropped, so a bad callback cannot kill the thread.
  using NotifyCallback =
      std::function<void(const std::string& channel, const std::string& payload)>;
  using ConnectedCallback = std::function<void()>;

  // Starts the thread and returns at once; connecting happens in the background. Errors:
  // a conninfo libpq cannot parse, no channel, or a channel name that is empty or longer
  // than PostgreSQL's 63 bytes.
  [[nodiscard]] static Result<std::unique_ptr<Listener>, std::string> start(
      std::string_view conninfo, std::vector<std::string> channels, NotifyCallback on_notify,
      ConnectedCallback on_connected = {});

  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  ~Listener();  // stop()

  // Stops and joins the thread: at once when connected (it also waits on a wake-up pipe),
  // within connect_timeout (2 s by default) when caught mid-connect.
  void stop();

  // Whether LISTEN is in effect right now.
  [[nodiscard]] bool listening() const { return listening_.load(); }
  // Waits until LISTEN is in effect, for tests and for start-up ordering.
  [[nodiscard]] bool wait_until_listening(std::chrono::milliseconds timeout) const;

 private:
  Listener(std::string conninfo, std::vector<std::string> channels, NotifyCallback on_notify,
           ConnectedCallback on_connected, int wake_read, int wake_write);
  void run();
  void pause(std::chrono::milliseconds duration);

  const std::string conninfo_;
  const std::vector<std::string> channels_;
  const NotifyCallback on_notify_;
  const ConnectedCallback on_connected_;
  const int wake_read_;
  const int wake_write_;

  std::atomic<bool> stopping_{false};
  std::atomic<bool> listening_{false};
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::thread thread_;
};

}  // namespace keyward::storage
