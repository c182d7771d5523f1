#include "server/endpoints/test_routes.h"

#include <stdexcept>
#include <thread>

namespace keyward::server {

void add_test_routes(Router& router, Logger& logger) {
  router.add(Method::Get, "/__test/throw", [](const HttpRequest&) -> HttpResponse {
    throw std::runtime_error("secret internal detail");
  });
  router.add(
      Method::Get, "/__test/sleep",
      [&logger](const HttpRequest& request) {
        int ms = 0;
        if (auto v = request.query.get("ms")) {
          try {
            ms = std::clamp(std::stoi(std::string(*v)), 0, 5000);
          } catch (const std::exception&) {
            return json_error(400, "invalid_request", "ms must be a number");
          }
        }
        // Lets a test know the request is in flight before it signals the server.
        logger.info("test sleep started", {{"request_id", request.request_id}});
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        return HttpResponse::json(200, {{"slept_ms", ms}});
      },
      Execution::Worker);
  router.add(Method::Get, "/__test/echo", [](const HttpRequest& request) {
    nlohmann::json query = nlohmann::json::array();
    for (const auto& p : request.query.items()) query.push_back({p.name, p.value});
    nlohmann::json cookies = nlohmann::json::array();
    for (const auto& c : request.cookies.items()) cookies.push_back(c.name);
    return HttpResponse::json(200, {{"query", query},
                                    {"repeated", request.query.repeated_names()},
                                    {"cookies", cookies},
                                    {"client_ip", request.client_ip}});
  });
}

}  // namespace keyward::server
