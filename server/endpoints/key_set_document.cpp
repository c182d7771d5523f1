#include "server/endpoints/key_set_document.h"

namespace keyward::server {

http::Handler key_set_document_handler(std::shared_ptr<const keys::KeyManager> keys,
                                       std::string content_type, std::chrono::seconds max_age,
                                       SnapshotDocument document) {
  std::string cache_control = "public, max-age=" + std::to_string(max_age.count());
  return [keys = std::move(keys), content_type = std::move(content_type),
          cache_control = std::move(cache_control),
          document = std::move(document)](const http::HttpRequest&) {
    const auto snapshot = keys->snapshot();
    if (!snapshot) {
      auto r = http::json_error(503, "temporarily_unavailable", "signing keys not loaded");
      r.headers.set("Retry-After", "1");
      return r;
    }
    http::HttpResponse r;
    r.headers.set("Content-Type", content_type);
    r.headers.set("Cache-Control", cache_control);
    r.headers.set("Access-Control-Allow-Origin", "*");
    r.body = document(*snapshot);
    return r;
  };
}

}  // namespace keyward::server
