// The HTTP layer around handlers, in-process (http/service.h): request ids,
// strict parsing, routing, the catch-all, response headers and the access log.
#include "http/service.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <stdexcept>

namespace keyward::http {
namespace {

// A Logger over a temporary file whose lines the test reads back.
class CapturedLog {
 public:
  CapturedLog() : file_(std::tmpfile()), logger_(LogLevel::Debug, file_) {}
  ~CapturedLog() { std::fclose(file_); }
  Logger& logger() { return logger_; }
  std::vector<nlohmann::json> lines() {
    std::fflush(file_);
    std::rewind(file_);
    std::vector<nlohmann::json> out;
    char buf[8192];
    while (std::fgets(buf, sizeof buf, file_)) out.push_back(nlohmann::json::parse(buf));
    std::fseek(file_, 0, SEEK_END);
    return out;
  }
  std::string text() {
    std::string all;
    for (const auto& l : lines()) all += l.dump() + "\n";
    return all;
  }

 private:
  std::FILE* file_;
  Logger logger_;
};

class ServiceTest : public ::testing::Test {
 protected:
  ServiceTest()
      : service_(HttpServiceOptions{TrustedProxies::parse("127.0.0.1").value()}, log_.logger()) {
    auto& r = service_.router();
    r.add(Method::Get, "/ok", [](const HttpRequest& req) {
      auto resp = HttpResponse::json(200, {{"q", req.query.get("q").value_or("")}});
      resp.log_client_id = "client-1";
      return resp;
    });
    r.add(Method::Post, "/ok", [](const HttpRequest&) { return HttpResponse::json(201, {}); });
    r.add(Method::Get, "/throw", [](const HttpRequest&) -> HttpResponse {
      throw std::runtime_error("secret internal detail");
    });
    r.add(Method::Get, "/throw-int", [](const HttpRequest&) -> HttpResponse { throw 42; });
    r.add(Method::Get, "/items/{id}", [](const HttpRequest& req) {
      return HttpResponse::json(200, {{"id", req.path_param("id")}});
    });
  }

  static IncomingRequest get(std::string target) {
    IncomingRequest in;
    in.method = "GET";
    in.target = std::move(target);
    in.peer_address = "127.0.0.1";
    return in;
  }

  // prepare → invoke → finish, as the adapter does.
  std::pair<HttpRequest, HttpResponse> run(IncomingRequest in) {
    auto p = service_.prepare(std::move(in));
    HttpResponse resp = p.response ? *p.response : service_.invoke(*p.route, p.request);
    service_.finish(p.request, resp, std::chrono::milliseconds(3));
    return {p.request, resp};
  }

  CapturedLog log_;
  HttpService service_;
};

TEST_F(ServiceTest, RoutesAndDecodesQuery) {
  auto [req, resp] = run(get("/ok?q=a+b%21"));
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(nlohmann::json::parse(resp.body)["q"], "a b!");
  EXPECT_EQ(req.path, "/ok");
  EXPECT_EQ(req.raw_query, "q=a+b%21");
}

TEST_F(ServiceTest, TemplateParameterReachesTheHandlerDecoded) {
  auto [req, resp] = run(get("/items/a%2Fb?q=1"));
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(nlohmann::json::parse(resp.body)["id"], "a/b");
  EXPECT_EQ(run(get("/items/%GG")).second.status, 404);
}

TEST_F(ServiceTest, UnknownPathIs404Json) {
  auto [req, resp] = run(get("/nope"));
  EXPECT_EQ(resp.status, 404);
  EXPECT_EQ(nlohmann::json::parse(resp.body),
            (nlohmann::json{{"error", "not_found"}, {"error_description", "no such endpoint"}}));
  EXPECT_EQ(resp.headers.get("Content-Type").value(), "application/json");
}

TEST_F(ServiceTest, WrongMethodIs405WithAllow) {
  auto in = get("/ok");
  in.method = "DELETE";
  auto [req, resp] = run(std::move(in));
  EXPECT_EQ(resp.status, 405);
  EXPECT_EQ(resp.headers.get("Allow").value(), "GET, POST");
  EXPECT_EQ(nlohmann::json::parse(resp.body)["error"], "method_not_allowed");
}

TEST_F(ServiceTest, UnknownMethodIs501) {
  auto in = get("/ok");
  in.method = "BREW";
  auto [req, resp] = run(std::move(in));
  EXPECT_EQ(resp.status, 501);
  // Logged as "other", neither as the default GET nor as the token sent.
  const auto line = log_.lines().back();
  EXPECT_EQ(line["method"], "other") << line.dump();
  EXPECT_EQ(line["status"], 501);
  EXPECT_EQ(line.dump().find("BREW"), std::string::npos) << line.dump();
}

TEST_F(ServiceTest, ExceptionIsGeneric500WithRequestIdAndLogged) {
  auto in = get("/throw");
  in.headers.add("X-Request-ID", "req-123");
  auto [req, resp] = run(std::move(in));
  EXPECT_EQ(resp.status, 500);
  EXPECT_EQ(nlohmann::json::parse(resp.body),
            (nlohmann::json{{"error", "server_error"},
                            {"error_description", "internal error"},
                            {"request_id", "req-123"}}));
  EXPECT_EQ(resp.body.find("secret"), std::string::npos);
  EXPECT_EQ(resp.headers.get("X-Request-ID").value(), "req-123");
  const auto lines = log_.lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["msg"], "unhandled exception");
  EXPECT_EQ(lines[0]["level"], "error");
  EXPECT_EQ(lines[0]["request_id"], "req-123");
  EXPECT_EQ(lines[0]["exception"], "secret internal detail");  // the log has it; the client never
  EXPECT_EQ(lines[1]["msg"], "request");
  EXPECT_EQ(lines[1]["status"], 500);
}

TEST_F(ServiceTest, NonStdExceptionIsAlso500) {
  auto [req, resp] = run(get("/throw-int"));
  EXPECT_EQ(resp.status, 500);
  EXPECT_EQ(nlohmann::json::parse(resp.body)["error"], "server_error");
}

TEST_F(ServiceTest, AccessLogLine) {
  auto in = get("/ok?q=secret-token-value");
  in.headers.add("X-Request-ID", "abc");
  in.headers.add("Cookie", "sid=cookie-secret");
  auto [req, resp] = run(std::move(in));
  const auto lines = log_.lines();
  ASSERT_EQ(lines.size(), 1u);
  const auto& l = lines[0];
  EXPECT_EQ(l["msg"], "request");
  EXPECT_EQ(l["request_id"], "abc");
  EXPECT_EQ(l["method"], "GET");
  EXPECT_EQ(l["route"], "/ok");
  EXPECT_FALSE(l.contains("path"));
  EXPECT_EQ(l["status"], 200);
  EXPECT_DOUBLE_EQ(l["duration_ms"].get<double>(), 3.0);
  EXPECT_EQ(l["client_ip"], "127.0.0.1");
  EXPECT_EQ(l["client_id"], "client-1");
  EXPECT_TRUE(l.contains("time"));
  const std::string text = log_.text();
  EXPECT_EQ(text.find("secret-token-value"), std::string::npos);
  EXPECT_EQ(text.find("cookie-secret"), std::string::npos);
}

// The log names the route template, never the id in the path nor anything after '?'.
TEST_F(ServiceTest, AccessLogNamesTheRouteTemplateNotTheRawPath) {
  run(get("/items/alice%40example.com?code=secret-code-value"));
  run(get("/no/such/path-with-id-42?x=1"));
  auto post = get("/items/x");
  post.method = "DELETE";  // the path matched, the method did not: 405 under the template
  run(std::move(post));
  const auto lines = log_.lines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["route"], "/items/{id}");
  EXPECT_EQ(lines[0]["status"], 200);
  EXPECT_EQ(lines[1]["route"], "unmatched");
  EXPECT_EQ(lines[1]["status"], 404);
  EXPECT_EQ(lines[2]["route"], "/items/{id}");
  EXPECT_EQ(lines[2]["status"], 405);
  const std::string text = log_.text();
  for (const char* leaked : {"alice", "secret-code-value", "path-with-id-42", "code="}) {
    EXPECT_EQ(text.find(leaked), std::string::npos) << leaked << " in " << text;
  }
}

TEST_F(ServiceTest, NoClientIdFieldWhenUnknown) {
  run(get("/nope"));
  const auto lines = log_.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_FALSE(lines[0].contains("client_id"));
}

TEST_F(ServiceTest, RequestIdEchoedOrReplaced) {
  auto sane = get("/ok");
  sane.headers.add("X-Request-ID", "my-id.1");
  EXPECT_EQ(run(std::move(sane)).second.headers.get("X-Request-ID").value(), "my-id.1");

  auto insane = get("/ok");
  insane.headers.add("X-Request-ID", "bad id\"}");
  const auto replaced =
      std::string(run(std::move(insane)).second.headers.get("X-Request-ID").value());
  EXPECT_NE(replaced, "bad id\"}");
  EXPECT_EQ(replaced.size(), 22u);
}

TEST_F(ServiceTest, CommonHeaders) {
  auto [req, resp] = run(get("/ok"));
  EXPECT_EQ(resp.headers.get("X-Content-Type-Options").value(), "nosniff");
  EXPECT_TRUE(resp.headers.contains("Date"));
  EXPECT_EQ(resp.headers.get("Connection").value(), "keep-alive");
}

TEST_F(ServiceTest, KeepAliveRules) {
  auto close11 = get("/ok");
  close11.headers.add("Connection", "Close");
  EXPECT_EQ(run(std::move(close11)).second.headers.get("Connection").value(), "close");

  auto plain10 = get("/ok");
  plain10.http11 = false;
  EXPECT_EQ(run(std::move(plain10)).second.headers.get("Connection").value(), "close");

  auto keep10 = get("/ok");
  keep10.http11 = false;
  keep10.headers.add("Connection", "keep-alive");
  EXPECT_EQ(run(std::move(keep10)).second.headers.get("Connection").value(), "keep-alive");

  auto list11 = get("/ok");
  list11.headers.add("Connection", "te, close");
  EXPECT_EQ(run(std::move(list11)).second.headers.get("Connection").value(), "close");
}

// A sibling subdomain's malformed cookie must not break every request: the pair is
// skipped and the request reaches its handler.
TEST_F(ServiceTest, MalformedCookiePairIsSkipped) {
  auto in = get("/ok");
  in.headers.add("Cookie", "=;;\"bad; sid=abc; x=a b");
  auto p = service_.prepare(std::move(in));
  ASSERT_FALSE(p.response.has_value());
  EXPECT_EQ(p.request.cookies.get("sid").value(), "abc");
  EXPECT_FALSE(p.request.cookies.get("x").has_value());
  EXPECT_EQ(p.request.cookies.skipped(), 3u);  // "=", "\"bad" and "x=a b"
}

TEST_F(ServiceTest, CookiesParsedAndSplitFieldsJoined) {
  auto in = get("/ok");
  in.headers.add("Cookie", "a=1");
  in.headers.add("Cookie", "b=2");
  auto p = service_.prepare(std::move(in));
  ASSERT_FALSE(p.response.has_value());
  EXPECT_EQ(p.request.cookies.get("a").value(), "1");
  EXPECT_EQ(p.request.cookies.get("b").value(), "2");
}

TEST_F(ServiceTest, BadPercentEncodingIs400BeforeHandler) {
  auto [req, resp] = run(get("/throw?code=%zz"));
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(nlohmann::json::parse(resp.body)["error_description"],
            "malformed query string: '%' must be followed by two hex digits");
}

TEST_F(ServiceTest, NulOrInvalidUtf8InTheQueryIs400BeforeHandler) {
  auto [req, resp] = run(get("/throw?client_id=abc%00"));
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(nlohmann::json::parse(resp.body)["error_description"],
            "malformed query string: a parameter contains NUL");
  auto [req2, resp2] = run(get("/throw?client_id=%FF"));
  EXPECT_EQ(resp2.status, 400);
  EXPECT_EQ(nlohmann::json::parse(resp2.body)["error_description"],
            "malformed query string: a parameter is not UTF-8");
}

// Browser pages answer a malformed query with their own HTML error page.
TEST_F(ServiceTest, RouteMayTakeQueryErrorsItself) {
  service_.router().add(
      Method::Get, "/page", [](const HttpRequest&) { return HttpResponse::json(200, {}); },
      Execution::Reactor, QueryErrors::ToHandler);
  auto p = service_.prepare(get("/page?nonce=%00"));
  ASSERT_FALSE(p.response.has_value());
  ASSERT_NE(p.route, nullptr);
  EXPECT_EQ(p.request.query_error, "malformed query string: a parameter contains NUL");
  EXPECT_TRUE(p.request.query.empty());
  // An unknown path or method with a malformed query is still the layer's 400.
  EXPECT_EQ(service_.prepare(get("/nope?x=%00")).response->status, 400);
  EXPECT_FALSE(service_.prepare(get("/page?x=1")).request.query_error.has_value());
}

TEST_F(ServiceTest, RepeatedQueryParametersReachTheHandler) {
  auto p = service_.prepare(get("/ok?q=1&q=2"));
  ASSERT_FALSE(p.response.has_value());
  EXPECT_EQ(p.request.query.repeated_names(), (std::vector<std::string>{"q"}));
}

TEST_F(ServiceTest, BadContentLengthIs400) {
  for (const char* cl : {"abc", "-1", "1 0", "99999999999999999999"}) {
    auto in = get("/ok");
    in.method = "POST";
    in.headers.add("Content-Length", cl);
    auto [req, resp] = run(std::move(in));
    EXPECT_EQ(resp.status, 400) << cl;
    EXPECT_EQ(nlohmann::json::parse(resp.body)["error_description"], "invalid Content-Length")
        << cl;
  }
}

// nginx 1.22 forwards a header line without a colon as a field with an empty value.
TEST_F(ServiceTest, EmptyHeaderFieldIs400) {
  for (const char* name : {"NoColonHere", "Content-Length", "Authorization"}) {
    auto in = get("/ok");
    in.headers.add(name, "");
    auto [req, resp] = run(std::move(in));
    EXPECT_EQ(resp.status, 400) << name;
    EXPECT_EQ(nlohmann::json::parse(resp.body)["error_description"], "empty header field") << name;
  }
}

TEST_F(ServiceTest, TwoContentLengthsIs400) {
  auto in = get("/ok");
  in.method = "POST";
  in.headers.add("Content-Length", "3");
  in.headers.add("Content-Length", "3");
  in.body = "abc";
  EXPECT_EQ(run(std::move(in)).second.status, 400);
}

TEST_F(ServiceTest, TransferEncodingRules) {
  auto both = get("/ok");
  both.method = "POST";
  both.headers.add("Content-Length", "0");
  both.headers.add("Transfer-Encoding", "chunked");
  auto r1 = run(std::move(both)).second;
  EXPECT_EQ(r1.status, 400);
  EXPECT_EQ(nlohmann::json::parse(r1.body)["error_description"],
            "both Content-Length and Transfer-Encoding");
  EXPECT_EQ(r1.headers.get("Connection").value(), "close");

  auto gzip = get("/ok");
  gzip.method = "POST";
  gzip.headers.add("Transfer-Encoding", "gzip, chunked");
  EXPECT_EQ(run(std::move(gzip)).second.status, 501);

  auto chunked = get("/ok");
  chunked.method = "POST";
  chunked.headers.add("Transfer-Encoding", "Chunked");
  chunked.body = "dechunked by Pistache";
  EXPECT_EQ(run(std::move(chunked)).second.status, 201);
}

TEST_F(ServiceTest, ControlCharactersInHeaderValuesAre400) {
  auto in = get("/ok");
  in.headers.add("X-Evil", std::string("a\0b", 3));
  EXPECT_EQ(run(std::move(in)).second.status, 400);
}

TEST_F(ServiceTest, ContentLengthMatchingBodyIsFine) {
  auto in = get("/ok");
  in.method = "POST";
  in.headers.add("Content-Length", "3");
  in.body = "abc";
  EXPECT_EQ(run(std::move(in)).second.status, 201);
}

TEST_F(ServiceTest, TargetMustBeOriginForm) {
  EXPECT_EQ(run(get("http://evil.example/ok")).second.status, 400);
  EXPECT_EQ(run(get("*")).second.status, 400);
  EXPECT_EQ(run(get("/ok#frag")).second.status, 400);
}

TEST_F(ServiceTest, ClientIpFromTrustedProxy) {
  auto in = get("/ok");
  in.headers.add("X-Forwarded-For", "203.0.113.5");
  auto [req, resp] = run(std::move(in));
  EXPECT_EQ(req.client_ip, "203.0.113.5");
  EXPECT_EQ(req.peer_address, "127.0.0.1");
  EXPECT_EQ(log_.lines().back()["client_ip"], "203.0.113.5");

  auto direct = get("/ok");
  direct.peer_address = "198.51.100.1";
  direct.headers.add("X-Forwarded-For", "203.0.113.5");
  EXPECT_EQ(run(std::move(direct)).first.client_ip, "198.51.100.1");
}

TEST_F(ServiceTest, DrainingAnswers503AndCloses) {
  service_.begin_drain();
  auto [req, resp] = run(get("/ok"));
  EXPECT_EQ(resp.status, 503);
  EXPECT_EQ(resp.headers.get("Retry-After").value(), "1");
  EXPECT_EQ(resp.headers.get("Connection").value(), "close");
  EXPECT_EQ(nlohmann::json::parse(resp.body)["error"], "temporarily_unavailable");
}

TEST_F(ServiceTest, InvalidUtf8InPathDoesNotBreakJsonLogs) {
  auto [req, resp] = run(get("/\xff\xfe"));
  EXPECT_EQ(resp.status, 404);
  const auto lines = log_.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["status"], 404);
}

}  // namespace
}  // namespace keyward::http
