#pragma once
// A tiny HTTP/1.1 client over a loopback TCP socket, for tests that must control the
// exact bytes on the wire (malformed requests, keep-alive, pipelining). It reads one
// response at a time, framed by Content-Length.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace keyward::test {

struct Response {
  int status = 0;
  std::string status_line;
  std::vector<std::pair<std::string, std::string>> headers;  // in order, as received
  std::string body;

  // The first header of that name (case-insensitive).
  [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
  [[nodiscard]] size_t header_count(std::string_view name) const;
  // The body parsed as JSON; throws when it is not JSON.
  [[nodiscard]] nlohmann::json json() const { return nlohmann::json::parse(body); }
};

class Connection {
 public:
  // Connects to 127.0.0.1:port. Every read waits at most `timeout`.
  explicit Connection(uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void send(std::string_view bytes);
  // Reads the next response; throws std::runtime_error on timeout, EOF or garbage.
  [[nodiscard]] Response read_response();
  [[nodiscard]] Response request(std::string_view raw) {
    send(raw);
    return read_response();
  }
  // True when the server closed the connection within `wait` (EOF, with no data).
  [[nodiscard]] bool closed_by_peer(std::chrono::milliseconds wait);

 private:
  bool fill(std::chrono::milliseconds timeout);  // false on EOF
  int fd_ = -1;
  std::chrono::milliseconds timeout_;
  std::string buffer_;
};

// "GET <target> HTTP/1.1\r\nHost: 127.0.0.1\r\n<extra_headers>\r\n" on a fresh connection.
[[nodiscard]] Response get(uint16_t port, std::string_view target,
                           std::string_view extra_headers = "");

// Polls GET target until pred(response) holds or `timeout` passes; returns the last response.
template <class Pred>
[[nodiscard]] Response poll(uint16_t port, const std::string& target, Pred pred,
                            std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto r = get(port, target);
    if (pred(r) || std::chrono::steady_clock::now() >= deadline) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// "POST <target> HTTP/1.1" with Content-Type and Content-Length set, on a fresh connection.
[[nodiscard]] Response post(uint16_t port, std::string_view target, std::string_view body,
                            std::string_view content_type = "application/x-www-form-urlencoded",
                            std::string_view extra_headers = "");

}  // namespace keyward::test
