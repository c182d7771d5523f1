#include "server/endpoints/key_set_document.h"

#include <mutex>

#include "common/base64url.h"
#include "common/crypto.h"

namespace keyward::server {

namespace {

// A strong validator of the document's bytes (RFC 9110 §8.8.3): equal on every instance that
// serves the same keys, so a cache revalidates against any of them.
std::string entity_tag(const std::string& body) {
  return '"' + base64url_encode(sha256(body)) + '"';
}

// The entity tag of the document of the snapshot version seen last, computed once per key
// change rather than per request.
class EntityTags {
 public:
  std::string for_version(std::uint64_t version, const std::string& body) {
    std::lock_guard lock(mutex_);
    if (version != version_ || tag_.empty()) {
      tag_ = entity_tag(body);
      version_ = version;
    }
    return tag_;
  }

 private:
  std::mutex mutex_;
  std::uint64_t version_ = 0;
  std::string tag_;
};

// If-None-Match (RFC 9110 §13.1.2): "*" or a list of entity tags, compared weakly (W/ ignored).
bool none_match_fails(const http::Headers& headers, std::string_view tag) {
  for (std::string_view value : headers.get_all("If-None-Match")) {
    while (!value.empty()) {
      const size_t comma = value.find(',');
      std::string_view item = value.substr(0, comma);
      value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
      while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
      while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
      if (item.starts_with("W/")) item.remove_prefix(2);
      if (item == "*" || item == tag) return true;
    }
  }
  return false;
}

}  // namespace

http::Handler key_set_document_handler(std::shared_ptr<const keys::KeyManager> keys,
                                       std::string content_type, std::chrono::seconds max_age,
                                       SnapshotDocument document) {
  std::string cache_control = "public, max-age=" + std::to_string(max_age.count());
  return [keys = std::move(keys), content_type = std::move(content_type),
          cache_control = std::move(cache_control), document = std::move(document),
          tags = std::make_shared<EntityTags>()](const http::HttpRequest& request) {
    const auto snapshot = keys->snapshot();
    if (!snapshot) {
      auto r = http::json_error(503, "temporarily_unavailable", "signing keys not loaded");
      r.headers.set("Retry-After", "1");
      return r;
    }
    const std::string& body = document(*snapshot);
    http::HttpResponse r;
    std::string tag = tags->for_version(snapshot->version, body);
    // A cache that holds this very document revalidates it without the bytes (RFC 9110
    // §15.4.5): the 304 carries the validator and the caching headers a 200 would.
    if (none_match_fails(request.headers, tag)) {
      r.status = 304;
    } else {
      r.headers.set("Content-Type", content_type);
      r.body = body;
    }
    r.headers.set("ETag", std::move(tag));
    r.headers.set("Cache-Control", cache_control);
    r.headers.set("Access-Control-Allow-Origin", "*");
    return r;
  };
}

}  // namespace keyward::server
