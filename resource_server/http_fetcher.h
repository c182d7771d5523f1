#pragma once
// How the verifier reaches the issuer: one GET per call, for the discovery document and the
// JWKS. An interface so that tests serve those documents from a real local HTTP server (or any
// other transport a service already has); CurlFetcher is the implementation we ship.
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "common/result.h"

namespace keyward::rs {

struct FetchResponse {
  int status = 0;
  std::string body;
  // The Cache-Control field value ("" when absent); several fields are joined with ", ".
  std::string cache_control;
};

class HttpFetcher {
 public:
  virtual ~HttpFetcher() = default;
  // GET url. An error is a transport failure (connection refused, timeout, body too large,
  // not http/https); any HTTP status, 404 and 500 included, is a FetchResponse.
  [[nodiscard]] virtual Result<FetchResponse, std::string> get(const std::string& url) = 0;
};

struct CurlFetcherOptions {
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds total_timeout{5000};
  // A JWKS of a few keys is a few KiB; anything far larger is not one.
  size_t max_body_size = 256 * 1024;
};

// libcurl, a fresh easy handle per call (fetches are rare: on expiry, on an unknown kid).
// http and https only, no redirects followed (a JWKS location is what discovery says, not
// what a 302 says), certificates verified against the system store. Thread-safe.
class CurlFetcher final : public HttpFetcher {
 public:
  explicit CurlFetcher(CurlFetcherOptions options = {});
  [[nodiscard]] Result<FetchResponse, std::string> get(const std::string& url) override;

 private:
  CurlFetcherOptions options_;
};

}  // namespace keyward::rs
