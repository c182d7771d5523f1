// The only file that includes Pistache. It reads the request off Pistache (the request
// line and header block exactly as sent, captured by our own parser steps), hands it
// to HttpService, runs the handler inline or on the worker pool, and writes the
// HttpResponse back. Nothing here may throw into Pistache: its own handler would answer
// 500 with e.what() as the body.
//
// What Pistache 0.0.5 does by itself, observed over loopback (DESIGN.md, "The front
// door"), and what this file does about it:
// - "Content-Length: abc" is read as 0; the body is then parsed as the next request.
//   We answer 400 (HttpService) with Connection: close.
// - A request (line, headers and body) larger than maxRequestSize gets a plain-text 413
//   from Pistache and the rest of its bytes are parsed as new requests (smuggling). A
//   declared Content-Length that cannot fit is answered 413 by us without reading the
//   body; a chunked body that outgrows the limit still gets Pistache's 413.
// - Bytes after the first complete request in one read are dropped (no pipelining).
// - A malformed Cookie (or a registered header it cannot parse) makes its HeadersStep
//   throw: 500 with the exception text. We never run its HeadersStep.
// - A header line without ':' is merged into the next field name, or hangs until the
//   header timeout (a plain-text 408, then close). We answer 400.
// - Every response says "Connection: Close" unless the client sent a Connection header,
//   but the socket stays open whatever the header says. We always send our own
//   Connection header, and when it says close we read nothing more from the connection
//   and shut the socket down once the answer is written (write_response), so the unread
//   rest of a refused request is never parsed as a new one.
// - Only typed response headers are written; raw ones are silently dropped. We write
//   ours as DynamicHeader.
// - Repeated query parameters and header fields keep only the first. We keep all.
// The front door (nginx) stops the first three before they reach us.
#include "http/pistache_adapter.h"

#include "http/cookies.h"
#include "http/request_id.h"

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/peer.h>

#include <sys/socket.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace keyward::http {

namespace {

namespace P = Pistache;
namespace PH = Pistache::Http;
namespace PP = Pistache::Http::Private;

// ---------------------------------------------------------------------------------
// Capturing parser. Pistache 0.0.5 keeps neither the raw query string (it splits it
// into an unordered_map that drops repeated names and decodes nothing) nor repeated
// header fields. We wrap its request-line step so that the exact line it consumed is
// kept beside the parsed request, and replace its header step with one that keeps the
// header block as sent. Only public and protected Pistache API is used: Step,
// RequestLineStep, StreamCursor, Message::headers() and ParserImpl's protected step
// table. The parser is installed per connection from Handler::onConnection.

// "field-name ':' OWS field-value OWS CRLF" per line, then the empty line (RFC 9112 §5).
// A line without ':' or starting with whitespace (obs-fold) fails: Pistache 0.0.5
// would have read "NoColon\r\nHost" as one field name.
bool split_header_block(std::string_view block, Headers& out) {
  while (!block.empty()) {
    const size_t eol = block.find("\r\n");
    if (eol == std::string_view::npos) return false;
    const std::string_view line = block.substr(0, eol);
    block.remove_prefix(eol + 2);
    if (line.empty()) return block.empty();
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    const std::string_view name = line.substr(0, colon);
    if (!is_token(name)) return false;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    out.add(std::string(name), std::string(value));
  }
  return false;
}

class CapturingRequestLineStep final : public PP::Step {
 public:
  CapturingRequestLineStep(PH::Request* request, std::string* out)
      : Step(request), inner_(request), out_(out) {}
  PP::StepId id() const override { return PP::RequestLineStep::Id; }
  PP::State apply(P::StreamCursor& cursor) override {
    P::StreamCursor::Token token(cursor);
    const PP::State state = inner_.apply(cursor);
    if (state == PP::State::Next) out_->assign(token.rawText(), token.size());
    return state;
  }

 private:
  PP::RequestLineStep inner_;
  std::string* out_;
};

// Finds the end of the header block ("\r\n\r\n") and keeps it whole; we parse it
// ourselves in onRequest. Pistache's own HeadersStep is not used: it parses Cookie and
// every registered header as it goes and throws on a value it dislikes (a malformed
// Cookie, an odd Content-Type), which Pistache then answers with a 500 carrying its
// exception text; it also reads "NoColon\r\nHost: a" as one field name. The only typed
// headers Pistache's BodyStep needs are Content-Length and Transfer-Encoding, and we
// add them only when they are unambiguous; anything else reaches HttpService, which
// answers 400 before any handler runs.
class HeaderBlockStep final : public PP::Step {
 public:
  HeaderBlockStep(PH::Request* request, const std::string* request_line, std::string* out,
                  bool* too_large, size_t max_size)
      : Step(request),
        request_(request),
        request_line_(request_line),
        out_(out),
        too_large_(too_large),
        max_size_(max_size) {}
  PP::StepId id() const override { return PP::HeadersStep::Id; }
  PP::State apply(P::StreamCursor& cursor) override {
    const std::string_view available(cursor.offset(), cursor.remaining());
    size_t end = 0;
    if (available.starts_with("\r\n")) {
      end = 2;
    } else {
      const size_t pos = available.find("\r\n\r\n");
      if (pos == std::string_view::npos) return PP::State::Again;
      end = pos + 4;
    }
    out_->assign(available.substr(0, end));
    *too_large_ = false;
    if (!cursor.advance(end)) return PP::State::Again;
    add_framing_headers();
    return PP::State::Next;
  }

 private:
  void add_framing_headers() {
    Headers fields;
    if (!split_header_block(*out_, fields)) return;
    const auto lengths = fields.get_all("Content-Length");
    const auto codings = fields.get_all("Transfer-Encoding");
    if (!codings.empty()) {
      // RFC 9112 §6.1: chunked is the only coding we accept; with a Content-Length too
      // the message is refused (HttpService answers 400).
      if (lengths.empty() && codings.size() == 1 && iequals(codings.front(), "chunked")) {
        request_->headers().add(
            std::make_shared<PH::Header::TransferEncoding>(PH::Header::Encoding::Chunked));
      }
      return;
    }
    if (lengths.size() != 1) return;
    const auto v = lengths.front();
    if (v.empty() || v.size() > 18 ||
        !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return;
    }
    const uint64_t n = std::stoull(std::string(v));
    // A request that could never fit (Pistache would answer 413 in plain text once its
    // buffer overflowed, after reserving memory for the body) is answered by onRequest;
    // the body is not read and the response says Connection: close.
    if (n > max_size_ || request_line_->size() + out_->size() + n > max_size_) {
      *too_large_ = true;
      return;
    }
    request_->headers().add(std::make_shared<PH::Header::ContentLength>(n));
  }

  PH::Request* request_;
  const std::string* request_line_;
  std::string* out_;
  bool* too_large_;
  size_t max_size_;
};

class CapturingParser final : public PH::RequestParser {
 public:
  explicit CapturingParser(size_t max_size) : PH::RequestParser(max_size) {
    allSteps[0] = std::make_unique<CapturingRequestLineStep>(&request, &request_line);
    allSteps[1] = std::make_unique<HeaderBlockStep>(&request, &request_line, &header_block,
                                                    &body_too_large, max_size);
  }
  std::string request_line;  // "GET /x?y HTTP/1.1\r\n"
  std::string header_block;  // "Name: value\r\n...\r\n"
  bool body_too_large = false;
  // Set once an answer on this connection said "Connection: close": whatever arrives
  // after it (the rest of a body we refused to read, a smuggled request) is never
  // handled. Written by whichever thread answers, read by the connection's reactor.
  std::atomic<bool> closing{false};
};

// "METHOD SP request-target SP HTTP-version CRLF" (RFC 9112 §3).
bool split_request_line(std::string_view line, IncomingRequest& in) {
  if (line.size() < 2 || line.substr(line.size() - 2) != "\r\n") return false;
  line.remove_suffix(2);
  const size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return false;
  const size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
    return false;
  in.method = std::string(line.substr(0, sp1));
  in.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
  const std::string_view version = line.substr(sp2 + 1);
  if (version == "HTTP/1.1") {
    in.http11 = true;
  } else if (version == "HTTP/1.0") {
    in.http11 = false;
  } else {
    return false;
  }
  return !in.target.empty();
}

// A response header with any name. Pistache 0.0.5 writes only typed headers
// (Collection::list()), never the raw ones, and keeps one header per name, so repeated
// fields (Set-Cookie) are written as one value joined by "\r\nName: ". Values were
// checked for CR/LF before they get here.
class DynamicHeader final : public PH::Header::Header {
 public:
  DynamicHeader(std::string name, std::string value)
      : name_(std::move(name)), value_(std::move(value)) {}
  const char* name() const override { return name_.c_str(); }
  void write(std::ostream& os) const override { os << value_; }
  uint64_t hash() const override { return kHash; }

 private:
  static constexpr uint64_t kHash = PH::Header::detail::hash("keyward-dynamic-header");
  std::string name_;
  std::string value_;
};

bool safe_header(const HeaderField& f) {
  if (!is_token(f.name)) return false;
  for (const char c : f.value) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

bool known_status(int status) {
  switch (status) {
#define CODE(value, name, str) case value:
    STATUS_CODES
#undef CODE
    return true;
    default:
      return false;
  }
}

struct SharedState {
  SharedState(HttpService& s, WorkerPool& p, std::chrono::milliseconds d)
      : service(s), pool(p), queue_deadline(d) {}
  HttpService& service;
  WorkerPool& pool;
  std::chrono::milliseconds queue_deadline;
  std::atomic<int64_t> in_flight{0};
};

// Writes `response` and counts the request as finished once Pistache has put it on the
// wire (or failed to). With `close` (HttpService::finish decided the connection ends:
// the client asked, we are draining, or the framing of the request cannot be trusted),
// nothing more is read from the connection, and once the answer is written the socket
// is shut down, so Pistache sees the end of the stream and closes it. Pistache 0.0.5
// itself keeps every connection open whatever the Connection header says.
void write_response(const std::shared_ptr<SharedState>& state, PH::ResponseWriter& writer,
                    HttpResponse response, bool close) noexcept {
  std::weak_ptr<P::Tcp::Peer> peer;
  if (close) {
    try {
      peer = writer.peer();
      if (auto parser =
              std::dynamic_pointer_cast<CapturingParser>(PH::Handler::getParser(writer.peer()))) {
        parser->closing.store(true);
      }
    } catch (...) {  // NOLINT(bugprone-empty-catch): the peer is gone; nothing to close
    }
  }
  try {
    bool ok = known_status(response.status);
    for (const auto& f : response.headers.fields()) ok = ok && safe_header(f);
    if (!ok) {
      state->service.logger().error("invalid response from handler", {{"status", response.status}});
      auto id = response.headers.get("X-Request-ID").value_or("");
      auto replacement = HttpService::server_error(id);
      for (const auto& name : {"X-Request-ID", "Connection", "Date", "X-Content-Type-Options"}) {
        if (auto v = response.headers.get(name); v && safe_header({name, std::string(*v)})) {
          replacement.headers.set(name, std::string(*v));
        }
      }
      response = std::move(replacement);
    }
    // Pistache adds its own "Connection" (Close unless the client sent one); ours wins.
    writer.headers().remove<PH::Header::Connection>();
    std::vector<std::pair<std::string, std::string>> grouped;
    for (const auto& f : response.headers.fields()) {
      auto it = std::find_if(grouped.begin(), grouped.end(),
                             [&](const auto& g) { return iequals(g.first, f.name); });
      if (it == grouped.end()) {
        grouped.emplace_back(f.name, f.value);
      } else {
        it->second += "\r\n" + it->first + ": " + f.value;
      }
    }
    for (auto& [name, value] : grouped) {
      writer.headers().remove(name);
      writer.headers().add(std::make_shared<DynamicHeader>(name, std::move(value)));
    }
    // Finished once handed to Pistache, not when its promise settles: Pistache 0.0.5 never
    // settles it when the peer has already gone (the queued write is dropped), so counting
    // on it made every drain after load time out. drain_and_stop gives the reactors a
    // moment to flush what they were handed.
    auto sent = writer.send(static_cast<PH::Code>(response.status), response.body);
    state->in_flight.fetch_sub(1);
    if (close) {
      // Runs on the connection's reactor right after the write (or at once if it was
      // already done); the weak pointer stops us from touching a connection Pistache
      // has already dropped.
      sent.then(
          [peer](ssize_t) {
            if (auto p = peer.lock()) ::shutdown(p->fd(), SHUT_RDWR);
          },
          [](const std::exception_ptr&) {});
    }
  } catch (...) {
    state->in_flight.fetch_sub(1);
  }
}

class PistacheHandler final : public PH::Handler {
 public:
  HTTP_PROTOTYPE(PistacheHandler)

  explicit PistacheHandler(std::shared_ptr<SharedState> state) : state_(std::move(state)) {}

  void onRequest(const PH::Request& request, PH::ResponseWriter writer) override {
    const auto started = std::chrono::steady_clock::now();
    std::shared_ptr<CapturingParser> parser;
    try {
      parser = std::dynamic_pointer_cast<CapturingParser>(PH::Handler::getParser(writer.peer()));
    } catch (...) {
      return;  // the peer is gone: nobody to answer
    }
    if (parser && parser->closing.load()) return;  // see CapturingParser::closing
    state_->in_flight.fetch_add(1);
    HttpService& service = state_->service;
    HttpService::Prepared prepared;
    try {
      IncomingRequest in;
      if (!parser || !split_request_line(parser->request_line, in)) {
        throw std::logic_error("request line not captured");
      }
      in.body = request.body();
      in.peer_address = request.address().host();
      // Answers the layer gives before HttpService can even read the request; the
      // connection is not reused after them (its framing cannot be trusted).
      auto reject = [&](int status, std::string_view description) {
        prepared.request.request_id = choose_request_id("");
        prepared.request.client_ip = in.peer_address;
        prepared.request.peer_address = in.peer_address;
        prepared.request.http11 = in.http11;
        const auto method = parse_method(in.method);
        prepared.request.method = method.value_or(Method::Get);
        prepared.request.known_method = method.has_value();
        prepared.request.path = in.target.substr(0, in.target.find('?'));
        prepared.response = json_error(status, "invalid_request", description);
        prepared.response->headers.set("Connection", "close");
      };
      if (!split_header_block(parser->header_block, in.headers)) {
        reject(400, "malformed header field");
      } else if (parser->body_too_large) {
        reject(413, "request too large");
      } else {
        prepared = service.prepare(std::move(in));
      }
    } catch (const std::exception& e) {
      prepared = HttpService::Prepared{};
      prepared.request.request_id = choose_request_id("");
      service.logger().error(
          "request conversion failed",
          {{"request_id", prepared.request.request_id}, {"exception", e.what()}});
      prepared.response = HttpService::server_error(prepared.request.request_id);
    }

    if (prepared.response || !prepared.route) {
      HttpResponse response = prepared.response
                                  ? std::move(*prepared.response)
                                  : HttpService::server_error(prepared.request.request_id);
      const bool close =
          service.finish(prepared.request, response, std::chrono::steady_clock::now() - started);
      write_response(state_, writer, std::move(response), close);
      return;
    }

    const Route* route = prepared.route;
    if (route->execution == Execution::Reactor) {
      HttpResponse response = service.invoke(*route, prepared.request);
      const bool close =
          service.finish(prepared.request, response, std::chrono::steady_clock::now() - started);
      write_response(state_, writer, std::move(response), close);
      return;
    }

    // Worker: the writer moves to the pool and answers from there; Pistache queues the
    // write for the reactor that owns the connection.
    auto shared_writer = std::make_shared<PH::ResponseWriter>(std::move(writer));
    auto shared_request = std::make_shared<HttpRequest>(std::move(prepared.request));
    auto state = state_;
    const auto deadline = started + state->queue_deadline;
    const bool queued =
        state->pool.submit([state, shared_writer, shared_request, route, started, deadline] {
          HttpResponse response;
          if (std::chrono::steady_clock::now() > deadline) {
            state->service.logger().warn(
                "request dropped: it waited too long for a worker",
                {{"request_id", shared_request->request_id}, {"route", shared_request->route}});
            response = HttpService::unavailable("request waited too long");
          } else {
            response = state->service.invoke(*route, *shared_request);
          }
          const bool close = state->service.finish(*shared_request, response,
                                                   std::chrono::steady_clock::now() - started);
          write_response(state, *shared_writer, std::move(response), close);
        });
    if (!queued) {
      HttpResponse response = HttpService::unavailable("server busy");
      const bool close =
          service.finish(*shared_request, response, std::chrono::steady_clock::now() - started);
      write_response(state_, *shared_writer, std::move(response), close);
    }
  }

 private:
  // Tcp::Handler's hook (private in Http::Handler, which only installs its parser here):
  // install our capturing parser instead.
  void onConnection(const std::shared_ptr<P::Tcp::Peer>& peer) override {
    peer->putData(PH::Handler::ParserData, std::make_shared<CapturingParser>(getMaxRequestSize()));
  }

  std::shared_ptr<SharedState> state_;
};

}  // namespace

// How long drain_and_stop lets the reactors write answers they were handed last.
constexpr std::chrono::milliseconds kReactorFlushGrace{50};

struct HttpServer::Impl {
  HttpServerOptions options;
  std::shared_ptr<SharedState> state;
  std::unique_ptr<PH::Endpoint> endpoint;
  std::mutex stop_mutex;
  bool started = false;
  bool stopped = false;
};

HttpServer::HttpServer(HttpService& service, WorkerPool& pool, HttpServerOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->state = std::make_shared<SharedState>(service, pool, impl_->options.queue_deadline);
}

HttpServer::~HttpServer() {
  drain_and_stop(std::chrono::milliseconds(0));
}

void HttpServer::start() {
  const auto& o = impl_->options;
  // Pistache joins host and port into one string and splits it again: an IPv6 literal
  // needs its brackets.
  const std::string host = o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host;
  impl_->endpoint = std::make_unique<PH::Endpoint>(P::Address(host, P::Port(o.port)));
  auto opts = PH::Endpoint::options()
                  .threads(o.threads)
                  .threadsName("keyward-io")
                  .flags(P::Tcp::Options::ReuseAddr | P::Tcp::Options::NoDelay)
                  .maxRequestSize(o.max_request_size)
                  .headerTimeout(o.header_timeout)
                  .bodyTimeout(o.body_timeout)
                  .keepaliveTimeout(o.keepalive_timeout);
  impl_->endpoint->init(opts);
  impl_->endpoint->setHandler(PH::make_handler<PistacheHandler>(impl_->state));
  impl_->endpoint->serveThreaded();
  impl_->started = true;
}

uint16_t HttpServer::port() const {
  return impl_->endpoint ? static_cast<uint16_t>(impl_->endpoint->getPort()) : 0;
}

int64_t HttpServer::in_flight() const {
  return impl_->state->in_flight.load();
}

bool HttpServer::drain_and_stop(std::chrono::milliseconds timeout) {
  std::lock_guard lock(impl_->stop_mutex);
  if (!impl_->started || impl_->stopped) return true;
  impl_->state->service.begin_drain();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool drained = impl_->state->in_flight.load() <= 0;
  while (!drained && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    drained = impl_->state->in_flight.load() <= 0;
  }
  // Answers written from a worker are queued for the connection's reactor, which writes
  // them on its next wake-up; shutting the reactors down at once could drop the last ones.
  if (timeout.count() > 0) std::this_thread::sleep_for(kReactorFlushGrace);
  impl_->endpoint->shutdown();
  impl_->stopped = true;
  return drained;
}

}  // namespace keyward::http
