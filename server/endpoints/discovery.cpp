#include "server/endpoints/discovery.h"

namespace keyward::server {

nlohmann::ordered_json discovery_document(const DiscoveryMetadata& m,
                                          std::span<const jose::Alg> signing_algs) {
  nlohmann::ordered_json doc;
  // OIDC Discovery §3 and RFC 8414 §2: the issuer exactly as configured; clients compare it
  // byte for byte with the iss of every token and response (§4.3, RFC 8414 §3.3).
  doc["issuer"] = m.issuer;
  const auto endpoint = [&](std::string_view name, const std::string& path) {
    if (!path.empty()) doc[std::string(name)] = m.issuer + path;
  };
  endpoint("authorization_endpoint", m.authorization_endpoint);
  endpoint("token_endpoint", m.token_endpoint);
  endpoint("userinfo_endpoint", m.userinfo_endpoint);
  endpoint("jwks_uri", m.jwks_uri);
  endpoint("introspection_endpoint", m.introspection_endpoint);
  endpoint("revocation_endpoint", m.revocation_endpoint);
  endpoint("end_session_endpoint", m.end_session_endpoint);  // OIDC RP-Initiated Logout §2.1
  doc["scopes_supported"] = m.scopes;
  doc["response_types_supported"] = m.response_types;
  // OIDC Discovery §3 defaults to ["query", "fragment"]; we answer in the query only.
  doc["response_modes_supported"] = m.response_modes;
  doc["grant_types_supported"] = m.grant_types;
  doc["subject_types_supported"] = {"public"};
  auto algs = nlohmann::ordered_json::array();
  for (const auto alg : signing_algs) algs.push_back(jose::alg_name(alg));
  doc["id_token_signing_alg_values_supported"] = algs;
  doc["token_endpoint_auth_methods_supported"] = m.token_endpoint_auth_methods;
  if (!m.introspection_endpoint.empty()) {
    doc["introspection_endpoint_auth_methods_supported"] = m.introspection_endpoint_auth_methods;
  }
  if (!m.revocation_endpoint.empty()) {
    doc["revocation_endpoint_auth_methods_supported"] = m.revocation_endpoint_auth_methods;
  }
  doc["claims_supported"] = m.claims;
  // RFC 7636 §4.2: plain gives no protection against a stolen code; S256 only.
  doc["code_challenge_methods_supported"] = {"S256"};
  // RFC 9207 §3: every authorization response carries iss.
  doc["authorization_response_iss_parameter_supported"] = true;
  // OIDC Discovery §3 defaults request_uri_parameter_supported to true: say we support none
  // of the request-object parameters.
  doc["claims_parameter_supported"] = false;
  doc["request_parameter_supported"] = false;
  doc["request_uri_parameter_supported"] = false;
  return doc;
}

void add_discovery_routes(http::Router& router, std::shared_ptr<keys::KeyManager> keys,
                          DiscoveryMetadata metadata, std::chrono::seconds max_age) {
  const std::size_t document =
      keys->add_document([metadata = std::move(metadata)](const keys::KeySetInfo& info) {
        return discovery_document(metadata, info.signing_algs)
            .dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
      });
  const std::string cache_control = "public, max-age=" + std::to_string(max_age.count());
  const http::Handler handler = [keys = std::shared_ptr<const keys::KeyManager>(std::move(keys)),
                                 document, cache_control](const http::HttpRequest&) {
    const auto snapshot = keys->snapshot();
    if (!snapshot) {
      auto r = http::json_error(503, "temporarily_unavailable", "signing keys not loaded");
      r.headers.set("Retry-After", "1");
      return r;
    }
    http::HttpResponse r;
    r.headers.set("Content-Type", "application/json");
    r.headers.set("Cache-Control", cache_control);
    r.headers.set("Access-Control-Allow-Origin", "*");
    r.body = snapshot->documents.at(document);
    return r;
  };
  router.add(http::Method::Get, std::string(kOpenIdConfigurationPath), handler);
  router.add(http::Method::Get, std::string(kAuthorizationServerMetadataPath), handler);
}

}  // namespace keyward::server
