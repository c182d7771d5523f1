#include "federation/curl_poster.h"

#include "resource_server/curl_transfer.h"

namespace keyward::federation {
namespace {

Result<PostResponse, std::string> perform(const rs::CurlRequest& request) {
  auto response = rs::curl_perform(request);
  if (!response.ok()) return err(std::move(response).error());
  return PostResponse{response->status, std::move(response->body)};
}

}  // namespace

CurlPoster::CurlPoster(rs::CurlFetcherOptions options) : options_(options) {}

Result<PostResponse, std::string> CurlPoster::post_form(const std::string& url,
                                                        const std::string& form_body,
                                                        const std::string& authorization) {
  rs::CurlRequest request;
  request.url = url;
  request.post_body = form_body;
  request.headers = {"Content-Type: application/x-www-form-urlencoded", "Accept: application/json"};
  if (!authorization.empty()) request.headers.push_back("Authorization: " + authorization);
  request.limits = options_;
  return perform(request);
}

Result<PostResponse, std::string> CurlPoster::get_authorized(const std::string& url,
                                                             const std::string& authorization) {
  rs::CurlRequest request;
  request.url = url;
  request.headers = {"Accept: application/json", "Authorization: " + authorization};
  request.limits = options_;
  return perform(request);
}

}  // namespace keyward::federation
