#include "server/endpoints/jwks.h"

#include <algorithm>

#include "server/endpoints/key_set_document.h"

namespace keyward::server {

std::chrono::seconds jwks_max_age(std::chrono::seconds publication_delay) {
  return std::min(std::chrono::seconds(300), publication_delay / 2);
}

void add_jwks_route(http::Router& router, std::shared_ptr<const keys::KeyManager> keys,
                    std::chrono::seconds max_age) {
  router.add(http::Method::Get, std::string(kJwksPath),
             key_set_document_handler(std::move(keys), "application/jwk-set+json", max_age,
                                      [](const keys::KeySnapshot& snapshot) -> const std::string& {
                                        return snapshot.jwks_json;
                                      }));
}

}  // namespace keyward::server
