#include "tests/http/support/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "common/text.h"

namespace keyward::test {

std::optional<std::string> Response::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return v;
  }
  return std::nullopt;
}

size_t Response::header_count(std::string_view name) const {
  return static_cast<size_t>(std::count_if(headers.begin(), headers.end(),
                                           [&](const auto& h) { return iequals(h.first, name); }));
}

Connection::Connection(uint16_t port, std::chrono::milliseconds timeout) : timeout_(timeout) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd_);
    throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) + ": " + why);
  }
}

Connection::~Connection() {
  if (fd_ >= 0) ::close(fd_);
}

void Connection::send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("send: ") + std::strerror(errno));
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

bool Connection::fill(std::chrono::milliseconds timeout) {
  pollfd p{fd_, POLLIN, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
  if (ready == 0) throw std::runtime_error("timed out waiting for the server");
  if (ready < 0) throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
  char buf[16384];
  const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
  if (n < 0) throw std::runtime_error(std::string("recv: ") + std::strerror(errno));
  if (n == 0) return false;
  buffer_.append(buf, static_cast<size_t>(n));
  return true;
}

Response Connection::read_response() {
  size_t head_end;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill(timeout_))
      throw std::runtime_error("connection closed before a response: " + buffer_);
  }
  Response r;
  std::string_view head(buffer_.data(), head_end);
  size_t eol = head.find("\r\n");
  r.status_line = std::string(head.substr(0, eol));
  if (!r.status_line.starts_with("HTTP/1.") || r.status_line.size() < 12) {
    throw std::runtime_error("not an HTTP response: " + r.status_line);
  }
  r.status = std::stoi(r.status_line.substr(9, 3));
  while (eol != std::string_view::npos) {
    head.remove_prefix(eol + 2);
    eol = head.find("\r\n");
    const std::string_view line = head.substr(0, eol);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos)
      throw std::runtime_error("bad header line: " + std::string(line));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    r.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  if (r.header_count("Content-Length") != 1)
    throw std::runtime_error("response without one Content-Length");
  const size_t length = std::stoul(*r.header("Content-Length"));
  const size_t body_start = head_end + 4;
  while (buffer_.size() < body_start + length) {
    if (!fill(timeout_)) throw std::runtime_error("connection closed inside a response body");
  }
  r.body = buffer_.substr(body_start, length);
  buffer_.erase(0, body_start + length);
  return r;
}

bool Connection::closed_by_peer(std::chrono::milliseconds wait) {
  try {
    return !fill(wait) && buffer_.empty();
  } catch (const std::runtime_error&) {
    return false;  // still open when the wait ended
  }
}

Response get(uint16_t port, std::string_view target, std::string_view extra_headers) {
  Connection c(port);
  std::string raw = "GET " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  raw += extra_headers;
  raw += "\r\n";
  return c.request(raw);
}

Response post(uint16_t port, std::string_view target, std::string_view body,
              std::string_view content_type, std::string_view extra_headers) {
  Connection c(port);
  std::string raw = "POST " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  raw += "Content-Type: " + std::string(content_type) + "\r\n";
  raw += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  raw += extra_headers;
  raw += "\r\n";
  raw += body;
  return c.request(raw);
}

}  // namespace keyward::test
