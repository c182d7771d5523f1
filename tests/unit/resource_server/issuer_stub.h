#pragma once
// A real HTTP server on a loopback port standing in for the issuer: it serves a discovery
// document and a JWKS that each test sets, and counts the requests, so the verifier is tested
// through CurlFetcher and a socket, never through a fake fetcher.
#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "http/pistache_adapter.h"
#include "http/response.h"
#include "http/service.h"
#include "http/worker_pool.h"

namespace keyward::test {

class IssuerStub {
 public:
  IssuerStub()
      : devnull_(std::fopen("/dev/null", "w")),
        logger_(LogLevel::Error, devnull_),
        service_(http::HttpServiceOptions{}, logger_),
        pool_(1, 16) {
    auto& router = service_.router();
    router.add(http::Method::Get, "/.well-known/openid-configuration",
               [this](const http::HttpRequest&) {
                 ++discovery_hits;
                 std::lock_guard lock(mutex_);
                 if (discovery_status_ != 200) {
                   return http::json_error(discovery_status_, "server_error", "down");
                 }
                 return http::HttpResponse::json(200, discovery_);
               });
    router.add(http::Method::Get, "/jwks", [this](const http::HttpRequest&) {
      ++jwks_hits;
      std::lock_guard lock(mutex_);
      http::HttpResponse r;
      r.status = jwks_status_;
      r.headers.set("Content-Type", "application/json");
      if (!cache_control_.empty()) r.headers.set("Cache-Control", cache_control_);
      r.body = jwks_;
      return r;
    });
    http::HttpServerOptions options;
    options.port = 0;
    options.threads = 1;
    server_ = std::make_unique<http::HttpServer>(service_, pool_, options);
    server_->start();
    base_ = "http://127.0.0.1:" + std::to_string(server_->port());
    discovery_ = {{"issuer", issuer()}, {"jwks_uri", base_ + "/jwks"}};
  }
  ~IssuerStub() {
    server_->drain_and_stop(std::chrono::milliseconds(1000));
    pool_.stop();
    std::fclose(devnull_);
  }

  // The issuer identifier is the server's own base URL, so the default discovery URL works.
  [[nodiscard]] std::string issuer() const { return base_; }
  [[nodiscard]] std::string jwks_uri() const { return base_ + "/jwks"; }

  void set_jwks(std::string body, std::string cache_control = "public, max-age=300",
                int status = 200) {
    std::lock_guard lock(mutex_);
    jwks_ = std::move(body);
    cache_control_ = std::move(cache_control);
    jwks_status_ = status;
  }
  void set_jwks_status(int status) {
    std::lock_guard lock(mutex_);
    jwks_status_ = status;
  }
  void set_discovery(nlohmann::json doc, int status = 200) {
    std::lock_guard lock(mutex_);
    discovery_ = std::move(doc);
    discovery_status_ = status;
  }

  std::atomic<int> discovery_hits{0};
  std::atomic<int> jwks_hits{0};

 private:
  std::FILE* devnull_;
  Logger logger_;
  http::HttpService service_;
  http::WorkerPool pool_;
  std::unique_ptr<http::HttpServer> server_;
  std::string base_;
  std::mutex mutex_;
  nlohmann::json discovery_;
  int discovery_status_ = 200;
  std::string jwks_ = R"({"keys":[]})";
  std::string cache_control_;
  int jwks_status_ = 200;
};

}  // namespace keyward::test
