// keyward_http_requests_total and keyward_http_request_duration_seconds, through the service
// as the adapter drives it (http/request_metrics.h).
#include "http/request_metrics.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <thread>
#include <vector>

#include "http/service.h"

namespace keyward::http {
namespace {

class RequestMetricsTest : public ::testing::Test {
 protected:
  RequestMetricsTest()
      : log_(std::tmpfile()), logger_(LogLevel::Error, log_), service_({}, logger_) {
    auto& r = service_.router();
    r.add(Method::Get, "/ok", [](const HttpRequest&) { return HttpResponse::json(200, {}); });
    r.add(Method::Get, "/items/{id}", [](const HttpRequest& req) {
      return HttpResponse::json(req.path_param("id") == "missing" ? 404 : 200, {});
    });
    metrics_ = std::make_unique<RequestMetrics>(registry_, r);
    service_.measure_with(metrics_.get());
  }
  ~RequestMetricsTest() override { std::fclose(log_); }

  int run(std::string method, std::string target, std::chrono::microseconds took) {
    IncomingRequest in;
    in.method = std::move(method);
    in.target = std::move(target);
    in.peer_address = "127.0.0.1";
    auto p = service_.prepare(std::move(in));
    HttpResponse resp = p.response ? *p.response : service_.invoke(*p.route, p.request);
    service_.finish(p.request, resp, took);
    return resp.status;
  }

  ::testing::AssertionResult has(const std::string& line) {
    const auto text = registry_.render();
    if (text.find(line + "\n") != std::string::npos) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "no line " << line << " in\n" << text;
  }

  std::FILE* log_;
  Logger logger_;
  metrics::Registry registry_;
  HttpService service_;
  std::unique_ptr<RequestMetrics> metrics_;
};

TEST_F(RequestMetricsTest, UnknownMethodIsCountedAsOtherNotGet) {
  EXPECT_EQ(run("FOO", "/ok", std::chrono::microseconds(300)), 501);
  EXPECT_EQ(run("BREW-COFFEE", "/ok", std::chrono::microseconds(300)), 501);
  EXPECT_TRUE(
      has(R"(keyward_http_requests_total{route="unmatched",method="other",status="501"} 2)"));
  const auto text = registry_.render();
  EXPECT_EQ(text.find("method=\"GET\""), std::string::npos) << text;
  EXPECT_EQ(text.find("FOO"), std::string::npos) << text;
  EXPECT_EQ(text.find("BREW"), std::string::npos) << text;
}

TEST_F(RequestMetricsTest, CountsByTemplateMethodAndStatus) {
  run("GET", "/ok", std::chrono::microseconds(300));
  run("GET", "/ok?token=secret", std::chrono::microseconds(300));
  run("GET", "/items/42", std::chrono::milliseconds(20));
  run("GET", "/items/missing", std::chrono::milliseconds(2));
  run("POST", "/items/7", std::chrono::milliseconds(1));
  run("GET", "/nowhere/99", std::chrono::milliseconds(1));
  EXPECT_TRUE(has(R"(keyward_http_requests_total{route="/ok",method="GET",status="200"} 2)"));
  EXPECT_TRUE(
      has(R"(keyward_http_requests_total{route="/items/{id}",method="GET",status="200"} 1)"));
  EXPECT_TRUE(
      has(R"(keyward_http_requests_total{route="/items/{id}",method="GET",status="404"} 1)"));
  EXPECT_TRUE(
      has(R"(keyward_http_requests_total{route="/items/{id}",method="POST",status="405"} 1)"));
  EXPECT_TRUE(has(R"(keyward_http_requests_total{route="unmatched",method="GET",status="404"} 1)"));
  // Durations: the two /ok requests fall in the 0.0005 bucket and every bucket above it.
  EXPECT_TRUE(has(
      R"(keyward_http_request_duration_seconds_bucket{route="/ok",method="GET",le="0.0005"} 2)"));
  EXPECT_TRUE(has(R"(keyward_http_request_duration_seconds_count{route="/ok",method="GET"} 2)"));
  EXPECT_TRUE(has(
      R"(keyward_http_request_duration_seconds_bucket{route="/items/{id}",method="GET",le="0.01"} 1)"));
  EXPECT_TRUE(has(
      R"(keyward_http_request_duration_seconds_bucket{route="/items/{id}",method="GET",le="0.025"} 2)"));
  const auto text = registry_.render();
  EXPECT_EQ(text.find("secret"), std::string::npos);
  EXPECT_EQ(text.find("/items/42"), std::string::npos);
  EXPECT_EQ(text.find("/nowhere"), std::string::npos);
  // A path and method never asked for renders nothing.
  EXPECT_EQ(text.find(R"(route="/ok",method="DELETE")"), std::string::npos);
}

TEST_F(RequestMetricsTest, ConcurrentRequestsAreAllCounted) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this] {
      for (int i = 0; i < 500; ++i)
        run("GET", "/items/" + std::to_string(i), std::chrono::microseconds(10));
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_TRUE(
      has(R"(keyward_http_requests_total{route="/items/{id}",method="GET",status="200"} 2000)"));
  EXPECT_TRUE(
      has(R"(keyward_http_request_duration_seconds_count{route="/items/{id}",method="GET"} 2000)"));
}

}  // namespace
}  // namespace keyward::http
