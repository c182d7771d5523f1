#pragma once
// One HTTP exchange over libcurl with the rules every outgoing request of ours keeps: http
// and https only, no redirects followed (a JWKS or token endpoint is where discovery says,
// not where a 302 says), certificates verified against the system store, connect and total
// timeouts, and a bound on the body read. CurlFetcher (GET for discovery and JWKS) and
// federation's CurlPoster (the upstream's token and userinfo endpoints) both go through it.
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "resource_server/http_fetcher.h"

namespace keyward::rs {

struct CurlRequest {
  std::string url;
  // Set: a POST with this body; unset: a GET.
  std::optional<std::string> post_body;
  // Extra request header lines, "Name: value".
  std::vector<std::string> headers;
  CurlFetcherOptions limits;
  std::string user_agent = "keyward/1";
};

// A fresh easy handle per call. An error is a transport failure (connection refused,
// timeout, body too large, not http/https) and names the method and the URL, never a header
// or the body; any HTTP status is a FetchResponse. Thread-safe.
[[nodiscard]] Result<FetchResponse, std::string> curl_perform(const CurlRequest& request);

}  // namespace keyward::rs
