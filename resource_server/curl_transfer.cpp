#include <curl/curl.h>

#include <memory>
#include <mutex>
#include <string_view>

#include "resource_server/curl_transfer.h"

namespace keyward::rs {
namespace {

struct CurlFree {
  void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
};
using UniqueCurl = std::unique_ptr<CURL, CurlFree>;

struct Transfer {
  FetchResponse response;
  size_t max_body_size = 0;
  bool too_large = false;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (transfer->response.body.size() + n > transfer->max_body_size) {
    transfer->too_large = true;
    return 0;  // makes libcurl abort with CURLE_WRITE_ERROR
  }
  transfer->response.body.append(data, n);
  return n;
}

bool starts_with_icase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
    if (lower(text[i]) != lower(prefix[i])) return false;
  }
  return true;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  // A new status line starts a new header block (e.g. after 100 Continue): forget the old one.
  if (line.starts_with("HTTP/")) transfer->response.cache_control.clear();
  constexpr std::string_view kName = "cache-control:";
  if (starts_with_icase(line, kName)) {
    std::string_view value = line.substr(kName.size());
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ' ||
                              value.back() == '\t')) {
      value.remove_suffix(1);
    }
    // RFC 9110 §5.3: repeated fields combine into one comma-separated list.
    auto& out = transfer->response.cache_control;
    if (!out.empty()) out += ", ";
    out.append(value);
  }
  return n;
}

}  // namespace

Result<FetchResponse, std::string> curl_perform(const CurlRequest& request) {
  // curl_global_init is not thread-safe; run it once, before any handle exists.
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  const std::string what = (request.post_body ? "POST " : "GET ") + request.url;
  UniqueCurl curl(curl_easy_init());
  if (!curl) return err(std::string("libcurl could not create a handle"));
  Transfer transfer;
  transfer.max_body_size = request.limits.max_body_size;
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  // Signals cannot time out DNS lookups in a multi-threaded process; the timeouts still apply.
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(request.limits.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.limits.total_timeout.count()));
  curl_easy_setopt(h, CURLOPT_USERAGENT, request.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &transfer);
  if (request.post_body) {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.post_body->data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.post_body->size()));
  }
  curl_slist* headers = nullptr;
  for (const auto& line : request.headers) headers = curl_slist_append(headers, line.c_str());
  // libcurl would send "Expect: 100-continue" for larger bodies and wait for an answer
  // that some servers never give.
  if (request.post_body) headers = curl_slist_append(headers, "Expect:");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);

  const CURLcode code = curl_easy_perform(h);
  curl_slist_free_all(headers);
  if (transfer.too_large) {
    return err(what + ": the body is larger than " + std::to_string(request.limits.max_body_size) +
               " bytes");
  }
  if (code != CURLE_OK) return err(what + ": " + curl_easy_strerror(code));
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  transfer.response.status = static_cast<int>(status);
  return std::move(transfer.response);
}

}  // namespace keyward::rs
