#include "server/endpoints/jwks.h"

#include <algorithm>

namespace keyward::server {

std::chrono::seconds jwks_max_age(std::chrono::seconds publication_delay) {
  return std::min(std::chrono::seconds(300), publication_delay / 2);
}

void add_jwks_route(http::Router& router, std::shared_ptr<const keys::KeyManager> keys,
                    std::chrono::seconds max_age) {
  const std::string cache_control = "public, max-age=" + std::to_string(max_age.count());
  router.add(http::Method::Get, std::string(kJwksPath),
             [keys = std::move(keys), cache_control](const http::HttpRequest&) {
               const auto snapshot = keys->snapshot();
               if (!snapshot) {
                 auto r =
                     http::json_error(503, "temporarily_unavailable", "signing keys not loaded");
                 r.headers.set("Retry-After", "1");
                 return r;
               }
               http::HttpResponse r;
               r.headers.set("Content-Type", "application/jwk-set+json");
               r.headers.set("Cache-Control", cache_control);
               r.headers.set("Access-Control-Allow-Origin", "*");
               r.body = snapshot->jwks_json;
               return r;
             });
}

}  // namespace keyward::server
