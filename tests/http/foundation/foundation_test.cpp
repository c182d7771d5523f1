// Black-box tests of `keyward serve` over loopback: health,
// Pistache hygiene (keep-alive, catch-all, every method routed, limits, drain), strict
// parsing before handlers, request ids and the access log.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <iterator>
#include <regex>
#include <thread>

#include "tests/http/support/http_client.h"
#include "tests/http/support/server_process.h"

namespace keyward::test {
namespace {

const nlohmann::json kNotFound = {{"error", "not_found"},
                                  {"error_description", "no such endpoint"}};

bool is_sane_id(const std::string& id) {
  return std::regex_match(id, std::regex("[A-Za-z0-9._-]{1,64}"));
}

// One keyward-test-server (keyward plus the /__test/ routes), shared by the tests that do
// not need their own.
class Foundation : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServerProcess({{"KEYWARD_DATABASE_URL", unreachable_database_url()}},
                                std::chrono::seconds(20), Binary::TestServer);
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static uint16_t port() { return server_->port(); }
  static ServerProcess* server_;
};
ServerProcess* Foundation::server_ = nullptr;

TEST_F(Foundation, ListensOnTheEphemeralPortItLogged) {
  EXPECT_NE(port(), 0);
  EXPECT_NE(port(), 8081);
  bool found = false;
  for (const auto& l : server_->log_lines()) {
    if (l.value("msg", "") == "listening") {
      EXPECT_EQ(l["address"], "127.0.0.1:" + std::to_string(port()));
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(Foundation, HealthLive) {
  const auto r = get(port(), "/health/live");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json(), (nlohmann::json{{"status", "ok"}}));
  EXPECT_EQ(r.header("Content-Type"), "application/json");
  EXPECT_EQ(r.header("Cache-Control"), "no-store");
  EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff");
  ASSERT_TRUE(r.header("X-Request-ID").has_value());
  EXPECT_TRUE(is_sane_id(*r.header("X-Request-ID")));
}

TEST_F(Foundation, KeepAliveHonouredForTwoRequestsOnOneSocket) {
  Connection c(port());
  const auto first = c.request("GET /health/live HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.header("Connection"), "keep-alive");
  const auto second = c.request("GET /health/live HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.header("Connection"), "keep-alive");
  EXPECT_NE(first.header("X-Request-ID"), second.header("X-Request-ID"));
}

TEST_F(Foundation, ConnectionCloseAndHttp10AreAnsweredClose) {
  EXPECT_EQ(get(port(), "/health/live", "Connection: close\r\n").header("Connection"), "close");
  Connection c(port());
  const auto r = c.request("GET /health/live HTTP/1.0\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Connection"), "close");
  Connection k(port());
  EXPECT_EQ(
      k.request("GET /health/live HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").header("Connection"),
      "keep-alive");
}

TEST_F(Foundation, UnknownPathIs404Json) {
  const auto r = get(port(), "/no/such/thing");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.json(), kNotFound);
  EXPECT_EQ(r.header("Content-Type"), "application/json");
}

TEST_F(Foundation, WrongMethodIs405WithAllow) {
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"}) {
    Connection c(port());
    const auto r = c.request(std::string(method) +
                             " /health/live HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n");
    EXPECT_EQ(r.status, 405) << method;
    EXPECT_EQ(r.header("Allow"), "GET") << method;
    if (std::string(method) != "HEAD") {
      EXPECT_EQ(r.json(), (nlohmann::json{{"error", "method_not_allowed"},
                                          {"error_description", "method not allowed"}}));
    }
  }
}

TEST_F(Foundation, EveryMethodOnAnUnknownPathIs404) {
  for (const char* method : {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"}) {
    Connection c(port());
    const auto r =
        c.request(std::string(method) + " /nope HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n");
    EXPECT_EQ(r.status, 404) << method;
  }
}

TEST_F(Foundation, PostToAGetRouteIs405) {
  const auto r = post(port(), "/health/live", "a=1");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("Allow"), "GET");
}

// One malformed cookie (set by a sibling subdomain, say) must not break every request:
// malformed pairs are skipped and the well-formed ones reach the handler.
TEST_F(Foundation, MalformedCookiePairsAreSkipped) {
  for (const char* cookie :
       {"=;;\"bad; sid=abc", "a=\"1;;sid=abc", "sid=abc; flag", "a=b c; sid=abc"}) {
    const auto r = get(port(), "/__test/echo", std::string("Cookie: ") + cookie + "\r\n");
    EXPECT_EQ(r.status, 200) << cookie;
    EXPECT_EQ(r.json().at("cookies"), nlohmann::json::array({"sid"})) << cookie;
  }
}

TEST_F(Foundation, WellFormedCookiesReachTheHandler) {
  const auto r = get(port(), "/__test/echo", "Cookie: sid=abc; csrf=x\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["cookies"], (nlohmann::json{"sid", "csrf"}));
}

TEST_F(Foundation, BadPercentEncodingIs400BeforeAnyHandler) {
  for (const char* target : {"/__test/throw?code=%zz", "/__test/throw?a=%4", "/__test/throw?%=1"}) {
    const auto r = get(port(), target);
    EXPECT_EQ(r.status, 400) << target;
    EXPECT_EQ(r.json()["error"], "invalid_request") << target;
    EXPECT_TRUE(
        r.json()["error_description"].get<std::string>().starts_with("malformed query string"))
        << target;
  }
}

TEST_F(Foundation, QueryDecodedStrictlyWithRepeatsVisible) {
  // Pistache alone would drop the second "a" and decode nothing.
  const auto r =
      get(port(), "/__test/echo?a=1&a=%41+b&redirect_uri=https%3A%2F%2Fc.example%2Fcb&flag");
  ASSERT_EQ(r.status, 200);
  const auto doc = r.json();
  const auto pair = [](const char* k, const char* v) { return nlohmann::json::array({k, v}); };
  EXPECT_EQ(doc["query"], nlohmann::json::array({pair("a", "1"), pair("a", "A b"),
                                                 pair("redirect_uri", "https://c.example/cb"),
                                                 pair("flag", "")}));
  EXPECT_EQ(doc["repeated"], (nlohmann::json{"a"}));
}

TEST_F(Foundation, HandlerExceptionIsGeneric500WithRequestId) {
  const auto r = get(port(), "/__test/throw", "X-Request-ID: foundation-throw-1\r\n");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.json(), (nlohmann::json{{"error", "server_error"},
                                      {"error_description", "internal error"},
                                      {"request_id", "foundation-throw-1"}}));
  EXPECT_EQ(r.body.find("secret internal detail"), std::string::npos);
  EXPECT_EQ(r.header("X-Request-ID"), "foundation-throw-1");

  const auto lines = server_->request_lines("foundation-throw-1");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["status"], 500);
  EXPECT_EQ(lines[0]["route"], "/__test/throw");
  // The exception text is logged for operators, on its own error line.
  bool error_logged = false;
  for (const auto& l : server_->log_lines()) {
    if (l.value("msg", "") == "unhandled exception" &&
        l.value("request_id", "") == "foundation-throw-1") {
      EXPECT_EQ(l["exception"], "secret internal detail");
      error_logged = true;
    }
  }
  EXPECT_TRUE(error_logged);
}

TEST_F(Foundation, GeneratedRequestIdIsInThe500BodyAndTheLog) {
  const auto r = get(port(), "/__test/throw");
  ASSERT_EQ(r.status, 500);
  const std::string id = r.json()["request_id"];
  EXPECT_TRUE(is_sane_id(id));
  EXPECT_EQ(r.header("X-Request-ID"), id);
  EXPECT_EQ(server_->request_lines(id).size(), 1u);
}

TEST_F(Foundation, SaneRequestIdEchoed) {
  const auto r = get(port(), "/health/live", "X-Request-ID: abc.DEF_123-x\r\n");
  EXPECT_EQ(r.header("X-Request-ID"), "abc.DEF_123-x");
  EXPECT_EQ(server_->request_lines("abc.DEF_123-x").size(), 1u);
}

TEST_F(Foundation, InsaneRequestIdReplaced) {
  for (const std::string& bad : {std::string("has space"), std::string(65, 'a'),
                                 std::string("quote\"brace}"), std::string("semi;colon")}) {
    const auto r = get(port(), "/health/live", "X-Request-ID: " + bad + "\r\n");
    ASSERT_TRUE(r.header("X-Request-ID").has_value());
    const std::string id = *r.header("X-Request-ID");
    EXPECT_NE(id, bad);
    EXPECT_TRUE(is_sane_id(id)) << id;
    EXPECT_EQ(server_->request_lines(id).size(), 1u);
  }
  const std::string log = server_->output();
  EXPECT_EQ(log.find("quote\\\"brace"), std::string::npos);
}

TEST_F(Foundation, AccessLogNeverHasQueryStringOrSecrets) {
  const auto r = get(port(), "/__test/echo?code=SECRETCODE1234&access_token=TOKENVALUE5678",
                     "X-Request-ID: no-query-in-log\r\nCookie: sid=COOKIEVALUE999\r\n"
                     "Authorization: Basic QkFTSUNTRUNSRVQ=\r\n");
  ASSERT_EQ(r.status, 200);
  const auto lines = server_->request_lines("no-query-in-log");
  ASSERT_EQ(lines.size(), 1u);
  const auto& l = lines[0];
  EXPECT_EQ(l["route"], "/__test/echo");
  EXPECT_EQ(l["method"], "GET");
  EXPECT_EQ(l["status"], 200);
  EXPECT_EQ(l["client_ip"], "127.0.0.1");
  EXPECT_TRUE(l.contains("time"));
  EXPECT_TRUE(l["duration_ms"].is_number());
  const std::string log = server_->output();
  for (const char* secret :
       {"SECRETCODE1234", "TOKENVALUE5678", "COOKIEVALUE999", "QkFTSUNTRUNSRVQ", "code="}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << secret;
  }
}

TEST_F(Foundation, ForwardedForBelievedFromTrustedLoopbackProxy) {
  const auto r = get(port(), "/__test/echo",
                     "X-Forwarded-For: 1.1.1.1, 203.0.113.9\r\nX-Request-ID: xff-1\r\n");
  EXPECT_EQ(r.json()["client_ip"], "203.0.113.9");
  const auto lines = server_->request_lines("xff-1");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["client_ip"], "203.0.113.9");
}

TEST_F(Foundation, HeaderLineWithoutColonIs400) {
  Connection c(port());
  const auto r = c.request("GET /__test/throw HTTP/1.1\r\nHost: a\r\nNoColonHere\r\n\r\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json()["error_description"], "malformed header field");
  EXPECT_EQ(r.header("Connection"), "close");
}

TEST_F(Foundation, ObsFoldIs400) {
  Connection c(port());
  const auto r = c.request("GET /__test/throw HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n folded\r\n\r\n");
  EXPECT_EQ(r.status, 400);
}

TEST_F(Foundation, BadContentLengthIs400) {
  Connection c(port());
  const auto r = c.request("POST /__test/throw HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json()["error_description"], "invalid Content-Length");
  EXPECT_EQ(r.header("Connection"), "close");
}

TEST_F(Foundation, ContentLengthWithTransferEncodingIs400) {
  Connection c(port());
  const auto r = c.request(
      "POST /__test/throw HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: "
      "chunked\r\n\r\n0\r\n\r\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json()["error_description"], "both Content-Length and Transfer-Encoding");
}

TEST_F(Foundation, UnknownTransferCodingIs501) {
  Connection c(port());
  const auto r =
      c.request("POST /__test/throw HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n");
  EXPECT_EQ(r.status, 501);
}

TEST_F(Foundation, DeclaredBodyOverTheLimitIs413WithoutReadingIt) {
  Connection c(port());
  const auto r =
      c.request("POST /__test/throw HTTP/1.1\r\nHost: a\r\nContent-Length: 65537\r\n\r\n");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.json(), (nlohmann::json{{"error", "invalid_request"},
                                      {"error_description", "request too large"}}));
}

TEST_F(Foundation, AbsoluteFormTargetIs400) {
  Connection c(port());
  EXPECT_EQ(c.request("GET http://evil.example/health/live HTTP/1.1\r\nHost: a\r\n\r\n").status,
            400);
}

TEST_F(Foundation, DeclaredBodyThatOverflowsTheRequestLimitIs413) {
  // Content-Length alone is within 64 KiB, but with the request line and headers it is not.
  Connection c(port());
  const auto r =
      c.request("POST /__test/throw HTTP/1.1\r\nHost: a\r\nContent-Length: 65536\r\n\r\n");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.header("Connection"), "close");
}

// What Pistache 0.0.5 does by itself when a chunked body outgrows maxRequestSize (64 KiB):
// it answers 413 in plain text before our code sees anything, and parses whatever
// follows as new requests; that is why nginx's smaller client_max_body_size stops such
// bodies first.
TEST_F(Foundation, ChunkedBodyOverTheLimitIs413FromPistache) {
  Connection c(port());
  const std::string chunk(16 * 1024, 'a');
  std::string raw = "POST /__test/throw HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 5; ++i) raw += "4000\r\n" + chunk + "\r\n";
  raw += "0\r\n\r\n";
  c.send(raw);
  EXPECT_EQ(c.read_response().status, 413);
}

// What the server did with bytes sent after an answer that said "Connection: close":
// "closed" when the connection ended with no further answer, else what came back.
std::string after_close(Connection& c, std::string_view smuggled) {
  try {
    c.send(smuggled);
  } catch (const std::runtime_error&) {
    return "closed";  // already gone: EPIPE or ECONNRESET
  }
  try {
    const auto r = c.read_response();
    return "answered " + r.status_line;
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    if (what.starts_with("connection closed before a response") || what.starts_with("recv:")) {
      return "closed";
    }
    return what;  // a time-out: the connection was left open
  }
}

// Pistache 0.0.5 keeps every connection open whatever the answer says. After a framing
// error or a refused body the rest of the bytes cannot be trusted: they used to be parsed
// as the next request (request smuggling). Now the connection ends after the answer.
TEST_F(Foundation, ConnectionEndsAfterAFramingError) {
  Connection c(port(), std::chrono::seconds(3));
  const auto r = c.request("POST /__test/throw HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.header("Connection"), "close");
  EXPECT_EQ(
      after_close(c, "GET /__test/echo HTTP/1.1\r\nHost: a\r\nX-Request-ID: smuggled-1\r\n\r\n"),
      "closed");
  EXPECT_TRUE(server_->request_lines("smuggled-1", std::chrono::milliseconds(200)).empty());
}

TEST_F(Foundation, ConnectionEndsAfterARefusedBody) {
  Connection c(port(), std::chrono::seconds(3));
  const auto r =
      c.request("POST /__test/throw HTTP/1.1\r\nHost: a\r\nContent-Length: 65537\r\n\r\n");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.header("Connection"), "close");
  // The "body" the client goes on to send is a request of its own.
  EXPECT_EQ(
      after_close(c, "GET /__test/echo HTTP/1.1\r\nHost: a\r\nX-Request-ID: smuggled-2\r\n\r\n"),
      "closed");
  EXPECT_TRUE(server_->request_lines("smuggled-2", std::chrono::milliseconds(200)).empty());
}

TEST_F(Foundation, ConnectionEndsWhenTheClientAsked) {
  Connection c(port(), std::chrono::seconds(3));
  const auto r = c.request("GET /health/live HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(after_close(c, "GET /health/live HTTP/1.1\r\nHost: a\r\n\r\n"), "closed");
}

TEST_F(Foundation, MalformedQueryIs400BeforeTheHandler) {
  for (const char* query : {"a=%00", "a=%FF", "a=caf%E9", "x=%C0%AF"}) {
    const auto r = get(port(), std::string("/__test/throw?") + query);
    EXPECT_EQ(r.status, 400) << query;
    EXPECT_EQ(r.json()["error"], "invalid_request") << query;
  }
  std::string many;
  for (int i = 0; i <= 100; ++i) many += "p" + std::to_string(i) + "=1&";
  const auto r = get(port(), "/__test/throw?" + many);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json()["error_description"],
            "malformed query string: too many parameters (at most 100)");
}

// A request still queued for a worker when the front door would have given up on it is
// answered 503 and never run (running it would change state nobody hears about).
TEST(FoundationQueue, RequestOlderThanTheQueueDeadlineIsDroppedNotRun) {
  ServerProcess server({{"KEYWARD_WORKERS", "1"},
                        {"KEYWARD_QUEUE_DEADLINE", "1"},
                        {"KEYWARD_DATABASE_URL", unreachable_database_url()}},
                       std::chrono::seconds(20), Binary::TestServer);
  // The only worker sleeps 2.5 s; the request behind it waits longer than 1 s.
  Connection busy(server.port(), std::chrono::seconds(10));
  busy.send("GET /__test/sleep?ms=2500 HTTP/1.1\r\nHost: a\r\nX-Request-ID: busy\r\n\r\n");
  bool started = false;
  for (int i = 0; i < 500 && !started; ++i) {
    for (const auto& l : server.log_lines()) {
      started = started ||
                (l.value("msg", "") == "test sleep started" && l.value("request_id", "") == "busy");
    }
    if (!started) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(started) << server.output();
  Connection queued(server.port(), std::chrono::seconds(10));
  const auto late =
      queued.request("GET /__test/sleep?ms=0 HTTP/1.1\r\nHost: a\r\nX-Request-ID: queued\r\n\r\n");
  EXPECT_EQ(late.status, 503);
  EXPECT_EQ(late.json()["error"], "temporarily_unavailable");
  EXPECT_EQ(late.json()["error_description"], "request waited too long");
  EXPECT_EQ(late.header("Retry-After"), "1");
  EXPECT_EQ(busy.read_response().status, 200);
  bool ran = false;
  bool dropped = false;
  for (const auto& l : server.log_lines()) {
    ran = ran ||
          (l.value("msg", "") == "test sleep started" && l.value("request_id", "") == "queued");
    dropped = dropped || (l.value("msg", "").starts_with("request dropped") &&
                          l.value("request_id", "") == "queued");
  }
  EXPECT_FALSE(ran) << "the handler of a dropped request never runs";
  EXPECT_TRUE(dropped) << server.output();
}

TEST(FoundationReady, ReadyAgainstTheTestDatabase) {
  const auto url = test_database_url();
  ASSERT_TRUE(url.has_value())
      << "KEYWARD_TEST_DATABASE_URL is not set: run through scripts/test.sh";
  // Readiness also waits for the signing keys, which need the schema.
  const auto migrated = run_keyward({"migrate"}, {{"KEYWARD_DATABASE_URL", *url}});
  ASSERT_EQ(migrated.exit_code, 0) << migrated.output;
  ServerProcess server({{"KEYWARD_DATABASE_URL", *url}});
  // Keys load in the background after start: poll, bounded (not a timing assertion).
  Response r = get(server.port(), "/health/ready");
  for (int i = 0; i < 150 && r.status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    r = get(server.port(), "/health/ready");
  }
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json(), (nlohmann::json{{"status", "ready"}}));
  EXPECT_EQ(r.header("Cache-Control"), "no-store");
}

TEST(FoundationReady, UnreachableDatabaseIs503WithTheReasonOnlyInTheLog) {
  ServerProcess server({{"KEYWARD_DATABASE_URL", unreachable_database_url()}});
  const auto r = get(server.port(), "/health/ready", "X-Request-ID: ready-1\r\n");
  EXPECT_EQ(r.status, 503);
  // The public answer says nothing about the database (its address, libpq's error text)
  // or the keys.
  EXPECT_EQ(r.json(), (nlohmann::json{{"status", "unavailable"}}));
  EXPECT_EQ(r.header("Cache-Control"), "no-store");
  // The operator finds the reason in the log, on the request's line.
  bool logged = false;
  for (int i = 0; i < 100 && !logged; ++i) {
    for (const auto& l : server.log_lines()) {
      logged =
          logged || (l.value("msg", "") == "not ready" && l.value("request_id", "") == "ready-1" &&
                     l.value("reason", "").starts_with("database unreachable"));
    }
    if (!logged) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(logged) << server.output();
  // Liveness does not depend on the database.
  EXPECT_EQ(get(server.port(), "/health/live").status, 200);
}

TEST(FoundationLifecycle, SigtermDrainsInFlightRequestsThenExitsZero) {
  ServerProcess server({{"KEYWARD_DATABASE_URL", unreachable_database_url()}},
                       std::chrono::seconds(20), Binary::TestServer);
  Connection slow(server.port());
  slow.send("GET /__test/sleep?ms=1000 HTTP/1.1\r\nHost: a\r\nX-Request-ID: in-flight\r\n\r\n");
  // Signal only once the handler runs, so the request is certainly in flight.
  bool started = false;
  for (int i = 0; i < 500 && !started; ++i) {
    for (const auto& l : server.log_lines()) {
      started = started || (l.value("msg", "") == "test sleep started" &&
                            l.value("request_id", "") == "in-flight");
    }
    if (!started) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(started) << server.output();
  ::kill(server.pid(), SIGTERM);
  // "stopping" is logged once the drain has begun.
  bool stopping = false;
  for (int i = 0; i < 500 && !stopping; ++i) {
    for (const auto& l : server.log_lines())
      stopping = stopping || l.value("msg", "") == "stopping";
    if (!stopping) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(stopping) << server.output();
  // New requests during the drain are refused, and told to close.
  try {
    Connection late(server.port());
    const auto r = late.request("GET /health/live HTTP/1.1\r\nHost: a\r\n\r\n");
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.json()["error"], "temporarily_unavailable");
    EXPECT_EQ(r.header("Connection"), "close");
  } catch (const std::runtime_error& e) {
    ADD_FAILURE() << "the listener must stay up while draining: " << e.what();
  }
  const auto r = slow.read_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json(), (nlohmann::json{{"slept_ms", 1000}}));
  EXPECT_EQ(server.stop(0, std::chrono::seconds(15)), 0);
  bool stopped = false;
  for (const auto& l : server.log_lines()) stopped = stopped || l.value("msg", "") == "stopped";
  EXPECT_TRUE(stopped);
}

TEST(FoundationLifecycle, ShippedBinaryHasNoTestRoutesWhateverItIsTold) {
  // The /__test/ routes are compiled only into keyward-test-server: the shipped keyward
  // has no such code and no setting that could switch it on.
  ServerProcess server(
      {{"KEYWARD_DATABASE_URL", unreachable_database_url()}, {"KEYWARD_TEST_ROUTES", "1"}});
  for (const char* target : {"/__test/throw", "/__test/echo", "/__test/sleep", "/__test/sign"}) {
    SCOPED_TRACE(target);
    const auto r = get(server.port(), target);
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.json(), kNotFound);
  }
  std::ifstream in(binary_path(Binary::Keyward), std::ios::binary);
  const std::string image((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(image.size(), 100000u);
  EXPECT_EQ(image.find("/__test/"), std::string::npos) << "test routes in the shipped binary";
  EXPECT_EQ(image.find("KEYWARD_TEST_ROUTES"), std::string::npos);
  EXPECT_EQ(image.find("secret internal detail"), std::string::npos);
  // And the test server, built from the same main and server, does have them.
  std::ifstream test_in(binary_path(Binary::TestServer), std::ios::binary);
  const std::string test_image((std::istreambuf_iterator<char>(test_in)),
                               std::istreambuf_iterator<char>());
  EXPECT_NE(test_image.find("/__test/"), std::string::npos);
}

TEST(FoundationCommands, InvalidConfigurationExits2WithAMessage) {
  const auto r = run_keyward({"serve"}, {{"KEYWARD_ACCESS_TOKEN_TTL", "abc"}});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find(
                "KEYWARD_ACCESS_TOKEN_TTL must be a whole number of seconds between 60 and 86400 "
                "(got \"abc\")"),
            std::string::npos)
      << r.output;
}

TEST(FoundationCommands, ServeWithoutDatabaseUrlSaysWhatToSet) {
  const auto r = run_keyward({"serve"}, {{"KEYWARD_DATABASE_URL", ""}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("KEYWARD_DATABASE_URL is not set"), std::string::npos) << r.output;
}

TEST(FoundationCommands, NonLoopbackListenWarnsLoudly) {
  // Port 0 on every address; the server is stopped at once.
  ServerProcess server(
      {{"KEYWARD_LISTEN", "0.0.0.0:0"}, {"KEYWARD_DATABASE_URL", unreachable_database_url()}});
  bool warned = false;
  for (const auto& l : server.log_lines()) {
    warned = warned || (l.value("level", "") == "warn" &&
                        l.value("msg", "").find("which is not loopback") != std::string::npos);
  }
  EXPECT_TRUE(warned) << server.output();
}

TEST(FoundationCommands, VersionAndHelp) {
  const auto v = run_keyward({"version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_TRUE(v.output.starts_with("keyward ")) << v.output;
  const auto h = run_keyward({"help"});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.output.find("serve"), std::string::npos);
  const auto bad = run_keyward({"frobnicate"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.output.find("unknown command 'frobnicate'"), std::string::npos);
}

TEST(FoundationCommands, MigrateFailureNamesTheProblem) {
  const auto r = run_keyward({"migrate"}, {{"KEYWARD_DATABASE_URL", unreachable_database_url()}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.output.starts_with("keyward migrate: ")) << r.output;
}

}  // namespace
}  // namespace keyward::test
