// docs/openapi.json against the router: every admin route the server registers is in the
// document with its method, and every operation the document lists under /admin/v1/ is a
// registered route; the document the server serves is the file in the tree.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "http/router.h"
#include "server/admin/admin_access.h"
#include "server/admin/admin_api.h"

namespace keyward::server::admin {
namespace {

const std::set<std::string> kMethods = {"get", "put", "post", "delete", "patch", "head", "options"};

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

nlohmann::json tree_document() {
  std::ifstream in(std::string(KEYWARD_SOURCE_DIR) + "/docs/openapi.json");
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

// "GET /admin/v1/clients/{client_id}", …
std::set<std::string> documented(const nlohmann::json& doc) {
  std::set<std::string> out;
  for (const auto& [path, item] : doc.at("paths").items()) {
    for (const auto& [key, value] : item.items()) {
      if (kMethods.count(key) > 0) out.insert(lower(key) + " " + path);
    }
  }
  return out;
}

std::set<std::string> registered_admin_routes() {
  http::Router router;
  add_admin_routes(router, nullptr);  // the handlers are never called here
  std::set<std::string> out;
  for (const auto& route : router.routes()) {
    out.insert(lower(http::method_name(route.method)) + " " + route.path);
  }
  return out;
}

TEST(AdminOpenApi, EveryRouteIsDocumentedAndEveryDocumentedRouteExists) {
  const auto doc = documented(tree_document());
  const auto routes = registered_admin_routes();
  ASSERT_GE(routes.size(), 20u);
  for (const auto& r : routes) {
    EXPECT_EQ(r.find(" /admin/v1/"), r.find(' ')) << r << " is outside /admin/v1/";
    EXPECT_TRUE(doc.count(r)) << r << " is registered but not in docs/openapi.json";
  }
  std::set<std::string> other;
  for (const auto& d : doc) {
    if (d.find(" /admin/v1/") != std::string::npos) {
      EXPECT_TRUE(routes.count(d)) << d << " is in docs/openapi.json but not registered";
    } else {
      other.insert(d);
    }
  }
  // The registration endpoints (server/endpoints/registration.h) are registered elsewhere
  // and only when KEYWARD_DCR is not off; the document lists exactly these.
  EXPECT_EQ(other,
            (std::set<std::string>{"post /register", "get /register/{client_id}",
                                   "put /register/{client_id}", "delete /register/{client_id}"}));
}

TEST(AdminOpenApi, ServedDocumentIsTheTreeFile) {
  EXPECT_EQ(nlohmann::json::parse(openapi_document()), tree_document());
  EXPECT_EQ(tree_document().at("openapi"), "3.1.0");
}

TEST(AdminOpenApi, EveryAdminOperationNamesItsScopeAndRefusals) {
  const auto doc = tree_document();
  for (const auto& [path, item] : doc.at("paths").items()) {
    if (path.rfind("/admin/v1/", 0) != 0 || path == "/admin/v1/openapi.json") continue;
    for (const auto& [method, op] : item.items()) {
      if (kMethods.count(method) == 0) continue;
      EXPECT_TRUE(op.contains("security")) << method << " " << path;
      EXPECT_TRUE(op.at("responses").contains("401")) << method << " " << path;
      EXPECT_TRUE(op.at("responses").contains("403")) << method << " " << path;
    }
  }
}

TEST(AdminAccessRules, ScopesCoverTheirParts) {
  AdminCaller all{"c", {"keyward:admin"}};
  AdminCaller clients{"c", {"keyward:admin:clients"}};
  AdminCaller other{"c", {"openid", "keyward:administrator"}};
  for (auto part : {AdminPart::Clients, AdminPart::Users, AdminPart::Keys, AdminPart::Status}) {
    EXPECT_TRUE(AdminAccess::allows(all, part));
    EXPECT_FALSE(AdminAccess::allows(other, part));
  }
  EXPECT_TRUE(AdminAccess::allows(clients, AdminPart::Clients));
  EXPECT_TRUE(AdminAccess::allows(clients, AdminPart::Status));
  EXPECT_FALSE(AdminAccess::allows(clients, AdminPart::Users));
  EXPECT_FALSE(AdminAccess::allows(clients, AdminPart::Keys));
  EXPECT_EQ(admin_audience("https://id.example.com/kw"), "https://id.example.com/kw/admin");
}

}  // namespace
}  // namespace keyward::server::admin
