#include "resource_server/curl_transfer.h"
#include "resource_server/http_fetcher.h"

namespace keyward::rs {

CurlFetcher::CurlFetcher(CurlFetcherOptions options) : options_(options) {}

Result<FetchResponse, std::string> CurlFetcher::get(const std::string& url) {
  CurlRequest request;
  request.url = url;
  request.headers = {"Accept: application/json"};
  request.limits = options_;
  request.user_agent = "keyward-verifier/1";
  return curl_perform(request);
}

}  // namespace keyward::rs
