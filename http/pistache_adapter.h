#pragma once
// The HTTP server: Pistache 0.0.5 behind a Pistache-free interface. This header and
// everything that includes it never see a Pistache type; pistache_adapter.cpp is the
// only file that includes <pistache/...>.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "http/service.h"
#include "http/worker_pool.h"

namespace keyward::http {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8081;  // 0: an ephemeral port, see HttpServer::port()
  int threads = 2;       // reactor threads
  // Explicit limits (Pistache hygiene in DESIGN.md); the front door's
  // client_max_body_size stays below max_request_size.
  size_t max_request_size = 64 * 1024;
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds body_timeout{10};
  std::chrono::seconds keepalive_timeout{60};
  // A request still waiting for a worker after this long is answered 503 and never run:
  // by then the front door (proxy_read_timeout) has given up on it and the client has
  // gone, so running it would only change state nobody will hear about.
  std::chrono::milliseconds queue_deadline{30000};
};

class HttpServer {
 public:
  // `service` and `pool` must outlive the server.
  HttpServer(HttpService& service, WorkerPool& pool, HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and serves on background reactor threads. Throws std::runtime_error when the
  // address cannot be bound.
  void start();

  // The bound port (the real one when the options asked for port 0).
  [[nodiscard]] uint16_t port() const;

  // Requests dispatched to a handler whose response has not been written yet.
  [[nodiscard]] int64_t in_flight() const;

  // Graceful stop: new requests are answered 503 with Connection: close, in-flight ones
  // are waited for (at most `timeout`), then Pistache is shut down. Returns whether
  // every in-flight request finished in time. Idempotent.
  bool drain_and_stop(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace keyward::http
