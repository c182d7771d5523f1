#pragma once
// UpstreamPoster over libcurl (rs::curl_perform): the same rules as the verifier's fetcher
// (http and https only, no redirects, timeouts, a bounded body), so a token endpoint that
// answers with a redirect or a slow trickle is an error, never a hang. Thread-safe.
#include <string>

#include "federation/upstream.h"
#include "resource_server/http_fetcher.h"

namespace keyward::federation {

class CurlPoster final : public UpstreamPoster {
 public:
  explicit CurlPoster(rs::CurlFetcherOptions options = {});

  [[nodiscard]] Result<PostResponse, std::string> post_form(
      const std::string& url, const std::string& form_body,
      const std::string& authorization) override;
  [[nodiscard]] Result<PostResponse, std::string> get_authorized(
      const std::string& url, const std::string& authorization) override;

 private:
  rs::CurlFetcherOptions options_;
};

}  // namespace keyward::federation
