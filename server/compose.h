#pragma once
// The composition root: Config → Database → endpoints → router → HTTP server. The only
// place that knows which concrete pieces make up `keyward serve` and `keyward migrate`.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/log.h"
#include "common/result.h"
#include "server/config.h"

namespace keyward::grants {
class SigningKeys;
}  // namespace keyward::grants
namespace keyward::audit {
class EventSink;
class AsyncEventWriter;
}  // namespace keyward::audit

namespace keyward::server {}  // namespace keyward::server
namespace keyward::http {
class Router;
}  // namespace keyward::http
namespace keyward::server {

// What an executable may add to `keyward serve`'s routes. The shipped keyward adds nothing
// (server/shipped_routes.cpp); only the test-only keyward-test-server adds its /__test/
// routes (tests/http/support/), so no test code is ever in the shipped binary.
struct ExtraRouteContext {
  http::Router& router;
  Logger& logger;
  std::shared_ptr<const grants::SigningKeys> keys;
  const Config& config;
};
using ExtraRoutes = std::function<void(const ExtraRouteContext&)>;

// Defined once per executable (see ExtraRouteContext).
[[nodiscard]] ExtraRoutes extra_routes();

// A running `keyward serve`, without the signal handling, so tests and main share it.
class App {
 public:
  // Opens the database handle (no connection yet: PostgreSQL may come up later),
  // resolves the master key, builds the routes and binds the listening socket.
  [[nodiscard]] static Result<std::unique_ptr<App>, std::string> start(
      const Config& config, Logger& logger, const ExtraRoutes& extra_routes = {});
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  [[nodiscard]] uint16_t port() const;

  // Where the server's parts report audit events: the batching writer, or a sink that
  // keeps nothing with KEYWARD_EVENTS=off. Valid until the App is destroyed.
  [[nodiscard]] audit::EventSink& events();
  // The writer behind events(), for its counters (metrics); null with KEYWARD_EVENTS=off.
  [[nodiscard]] const audit::AsyncEventWriter* event_writer() const;

  // From now on new requests are answered 503 with Connection: close and readiness
  // reports "shutting down"; requests already at a handler carry on.
  void begin_drain();

  // Graceful stop: drain (at most `timeout`), shut Pistache down, join the workers, stop
  // the background threads, and last write the audit events still queued (bounded).
  // Returns whether every in-flight request finished in time.
  bool stop(std::chrono::milliseconds timeout);

 private:
  App();
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

// `keyward serve`: starts, logs {"msg":"listening","address":…}, waits for SIGTERM or
// SIGINT, drains (10 s at most) and returns the exit code.
[[nodiscard]] int run_serve(const Config& config, Logger& logger,
                            const ExtraRoutes& extra_routes = {});

// `keyward migrate`: prints each file it applied; on failure prints the file and
// PostgreSQL's message to stderr and returns non-zero.
[[nodiscard]] int run_migrate(const Config& config);

}  // namespace keyward::server
