#include "tests/http/support/test_routes.h"

#include <algorithm>
#include <stdexcept>
#include <thread>

#include "common/clock.h"
#include "common/crypto.h"
#include "server/compose.h"

namespace keyward::server {

void add_test_routes(http::Router& router, Logger& logger) {
  router.add(http::Method::Get, "/__test/throw",
             [](const http::HttpRequest&) -> http::HttpResponse {
               throw std::runtime_error("secret internal detail");
             });
  router.add(
      http::Method::Get, "/__test/sleep",
      [&logger](const http::HttpRequest& request) {
        int ms = 0;
        if (auto v = request.query.get("ms")) {
          try {
            ms = std::clamp(std::stoi(std::string(*v)), 0, 5000);
          } catch (const std::exception&) {
            return http::json_error(400, "invalid_request", "ms must be a number");
          }
        }
        // Lets a test know the request is in flight before it signals the server.
        logger.info("test sleep started", {{"request_id", request.request_id}});
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        return http::HttpResponse::json(200, {{"slept_ms", ms}});
      },
      http::Execution::Worker);
  router.add(http::Method::Get, "/__test/echo", [](const http::HttpRequest& request) {
    nlohmann::json query = nlohmann::json::array();
    for (const auto& p : request.query.items()) query.push_back({p.name, p.value});
    nlohmann::json cookies = nlohmann::json::array();
    for (const auto& c : request.cookies.items()) cookies.push_back(c.name);
    return http::HttpResponse::json(200, {{"query", query},
                                          {"repeated", request.query.repeated_names()},
                                          {"cookies", cookies},
                                          {"client_ip", request.client_ip}});
  });
}

void add_test_signing_route(http::Router& router, std::shared_ptr<const grants::SigningKeys> keys,
                            std::string issuer, std::chrono::seconds access_ttl) {
  router.add(http::Method::Get, "/__test/sign",
             [keys = std::move(keys), issuer = std::move(issuer),
              access_ttl](const http::HttpRequest& request) {
               const auto key = keys->active();
               if (!key) return http::json_error(503, "temporarily_unavailable", "no signing key");
               long long ttl = access_ttl.count();
               if (auto v = request.query.get("ttl")) {
                 try {
                   ttl = std::stoll(std::string(*v));
                 } catch (const std::exception&) {
                   ttl = 0;
                 }
                 if (ttl < 1 || ttl > 86400) {
                   return http::json_error(400, "invalid_request", "ttl must be 1-86400");
                 }
               }
               const auto param = [&](std::string_view name, std::string_view fallback) {
                 return std::string(request.query.get(name).value_or(fallback));
               };
               const auto now = unix_seconds(std::chrono::system_clock::now());
               const nlohmann::json claims = {{"iss", issuer},
                                              {"sub", param("sub", "test-client")},
                                              {"aud", param("aud", "test-audience")},
                                              {"client_id", param("sub", "test-client")},
                                              {"scope", param("scope", "test")},
                                              {"jti", random_token(16)},
                                              {"iat", now},
                                              {"exp", now + ttl}};
               auto r =
                   http::HttpResponse::json(200, {{"access_token", key->access_token.sign(claims)},
                                                  {"token_type", "Bearer"},
                                                  {"expires_in", ttl},
                                                  {"kid", key->kid}});
               r.headers.set("Cache-Control", "no-store");
               return r;
             });
}

ExtraRoutes extra_routes() {
  return [](const ExtraRouteContext& context) {
    add_test_routes(context.router, context.logger);
    add_test_signing_route(context.router, context.keys, context.config.issuer,
                           context.config.access_token_ttl);
  };
}

}  // namespace keyward::server
