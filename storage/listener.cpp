#include "storage/listener.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "storage/conninfo.h"
#include "storage/detail/libpq.h"

namespace keyward::storage {
namespace {

using detail::PgConnPtr;
using detail::PgResultPtr;

// PostgreSQL truncates identifiers to NAMEDATALEN - 1 bytes, and pg_notify refuses longer
// channel names: refuse them here rather than listen on a name nobody can notify.
constexpr std::size_t kMaxChannelBytes = 63;
// How often the thread wakes up on its own when nothing arrives.
constexpr int kPollMillis = 1000;
// A connection silent for this long gets a SELECT 1; one that does not answer within the
// same time is dead (a vanished peer sends no FIN), so we reconnect.
constexpr auto kPingAfter = std::chrono::seconds(30);
constexpr auto kMinBackoff = std::chrono::milliseconds(100);
constexpr auto kMaxBackoff = std::chrono::milliseconds(1000);

// LISTEN takes an identifier, not a string: quote it so any valid name works.
bool listen_on(PGconn* connection, const std::string& channel) {
  char* quoted = PQescapeIdentifier(connection, channel.data(), channel.size());
  if (quoted == nullptr) return false;
  const std::string sql = "LISTEN " + std::string(quoted);
  PQfreemem(quoted);
  PgResultPtr result(PQexec(connection, sql.c_str()));
  return result && PQresultStatus(result.get()) == PGRES_COMMAND_OK;
}

}  // namespace

Result<std::unique_ptr<Listener>, std::string> Listener::start(std::string_view conninfo,
                                                               std::vector<std::string> channels,
                                                               NotifyCallback on_notify,
                                                               ConnectedCallback on_connected) {
  auto parsed = ConnInfo::parse(conninfo);
  if (!parsed) return err(parsed.error());
  if (channels.empty()) return err(std::string("listener: no channel to listen on"));
  for (const auto& channel : channels) {
    if (channel.empty() || channel.size() > kMaxChannelBytes) {
      return err("listener: channel name must be 1 to 63 bytes: \"" + channel + "\"");
    }
  }
  ConnInfo info = std::move(parsed).value();
  info.set_default("connect_timeout", "2");
  info.set_default("application_name", "keyward-listener");
  // The listener waits for notifications on an otherwise silent connection: without
  // keepalives a partition would leave it waiting forever, and caches never invalidated.
  set_tcp_keepalive_defaults(info);

  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    return err(std::string("listener: cannot create its wake-up pipe"));
  }
  std::unique_ptr<Listener> listener(new Listener(info.to_string(), std::move(channels),
                                                  std::move(on_notify), std::move(on_connected),
                                                  pipe_fds[0], pipe_fds[1]));
  listener->thread_ = std::thread([raw = listener.get()] { raw->run(); });
  return listener;
}

Listener::Listener(std::string conninfo, std::vector<std::string> channels,
                   NotifyCallback on_notify, ConnectedCallback on_connected, int wake_read,
                   int wake_write)
    : conninfo_(std::move(conninfo)),
      channels_(std::move(channels)),
      on_notify_(std::move(on_notify)),
      on_connected_(std::move(on_connected)),
      wake_read_(wake_read),
      wake_write_(wake_write) {}

Listener::~Listener() {
  stop();
  close(wake_read_);
  close(wake_write_);
}

void Listener::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  const char byte = 1;
  // The pipe is non-blocking: if it is full, the thread has a wake-up pending anyway.
  [[maybe_unused]] auto written = write(wake_write_, &byte, 1);
  if (thread_.joinable()) thread_.join();
}

bool Listener::wait_until_listening(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [this] { return listening_.load(); });
}

void Listener::pause(std::chrono::milliseconds duration) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, duration, [this] { return stopping_.load(); });
}

void Listener::run() {
  auto backoff = kMinBackoff;
  while (!stopping_) {
    PgConnPtr connection(PQconnectdb(conninfo_.c_str()));
    detail::silence_notices(connection.get());
    bool ready = connection && PQstatus(connection.get()) == CONNECTION_OK;
    for (const auto& channel : channels_) {
      if (!ready) break;
      ready = listen_on(connection.get(), channel);
    }
    if (!ready) {
      pause(backoff);
      backoff = std::min(backoff * 2, kMaxBackoff);
      continue;
    }
    backoff = kMinBackoff;
    {
      std::lock_guard lock(mutex_);
      listening_ = true;
    }
    changed_.notify_all();
    if (on_connected_) {
      try {
        on_connected_();
      } catch (...) {  // see the header: a callback's failure is its own business
      }
    }

    auto last_heard = std::chrono::steady_clock::now();
    bool ping_pending = false;
    while (!stopping_) {
      pollfd descriptors[2] = {{PQsocket(connection.get()), POLLIN, 0}, {wake_read_, POLLIN, 0}};
      const int ready_count = poll(descriptors, 2, kPollMillis);
      if (ready_count < 0 && errno != EINTR) break;
      if (descriptors[1].revents != 0) {
        char sink[16];
        while (read(wake_read_, sink, sizeof sink) > 0) {
        }
        continue;  // the loop condition sees stopping_
      }
      if (descriptors[0].revents != 0) {
        if (PQconsumeInput(connection.get()) == 0) break;  // the connection is gone
        last_heard = std::chrono::steady_clock::now();
        // Drain the ping's answer, if any, without blocking.
        while (ping_pending && PQisBusy(connection.get()) == 0) {
          PgResultPtr result(PQgetResult(connection.get()));
          if (!result) ping_pending = false;
        }
        while (PGnotify* raw = PQnotifies(connection.get())) {
          std::unique_ptr<PGnotify, decltype(&PQfreemem)> note(raw, &PQfreemem);
          try {
            on_notify_(note->relname, note->extra != nullptr ? note->extra : "");
          } catch (...) {  // see the header
          }
        }
      }
      if (PQstatus(connection.get()) != CONNECTION_OK) break;
      const auto silent = std::chrono::steady_clock::now() - last_heard;
      if (!ping_pending && silent > kPingAfter) {
        if (PQsendQuery(connection.get(), "SELECT 1") == 0) break;
        ping_pending = true;
      } else if (ping_pending && silent > 2 * kPingAfter) {
        break;  // asked and got no answer: the peer is gone without telling us
      }
    }
    {
      std::lock_guard lock(mutex_);
      listening_ = false;
    }
    changed_.notify_all();
  }
}

}  // namespace keyward::storage
