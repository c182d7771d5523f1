#include "server/endpoints/discovery.h"

#include "grants/pkce.h"
#include "grants/wire.h"
#include "server/endpoints/key_set_document.h"

namespace keyward::server {

namespace wire = grants::wire;

nlohmann::ordered_json discovery_document(const DiscoveryMetadata& m,
                                          std::span<const jose::Alg> signing_algs) {
  nlohmann::ordered_json doc;
  // OIDC Discovery §3 and RFC 8414 §2: the issuer exactly as configured; clients compare it
  // byte for byte with the iss of every token and response (§4.3, RFC 8414 §3.3).
  doc[wire::kIssuer] = m.issuer;
  const auto endpoint = [&](std::string_view name, const std::string& path) {
    if (!path.empty()) doc[name] = m.issuer + path;
  };
  endpoint(wire::kAuthorizationEndpoint, m.authorization_endpoint);
  endpoint(wire::kTokenEndpoint, m.token_endpoint);
  endpoint(wire::kUserinfoEndpoint, m.userinfo_endpoint);
  endpoint(wire::kJwksUri, m.jwks_uri);
  endpoint(wire::kIntrospectionEndpoint, m.introspection_endpoint);
  endpoint(wire::kRevocationEndpoint, m.revocation_endpoint);
  endpoint(wire::kEndSessionEndpoint, m.end_session_endpoint);     // RP-Initiated Logout §2.1
  endpoint(wire::kRegistrationEndpoint, m.registration_endpoint);  // RFC 8414 §2, RFC 7591
  doc[wire::kScopesSupported] = m.scopes;
  doc[wire::kResponseTypesSupported] = m.response_types;
  // OIDC Discovery §3 defaults to ["query", "fragment"]; we answer in the query only.
  doc[wire::kResponseModesSupported] = m.response_modes;
  doc[wire::kGrantTypesSupported] = m.grant_types;
  doc[wire::kSubjectTypesSupported] = {wire::kPublicSubject};
  auto algs = nlohmann::ordered_json::array();
  for (const auto alg : signing_algs) algs.push_back(jose::alg_name(alg));
  doc[wire::kIdTokenSigningAlgValuesSupported] = algs;
  doc[wire::kTokenEndpointAuthMethodsSupported] = m.token_endpoint_auth_methods;
  if (!m.introspection_endpoint.empty()) {
    doc[wire::kIntrospectionEndpointAuthMethodsSupported] = m.introspection_endpoint_auth_methods;
  }
  if (!m.revocation_endpoint.empty()) {
    doc[wire::kRevocationEndpointAuthMethodsSupported] = m.revocation_endpoint_auth_methods;
  }
  doc[wire::kClaimsSupported] = m.claims;
  // RFC 7636 §4.2: plain gives no protection against a stolen code; S256 only.
  doc[wire::kCodeChallengeMethodsSupported] = {grants::kPkceS256};
  // RFC 9207 §3: every authorization response carries iss.
  doc[wire::kAuthorizationResponseIssParameterSupported] = true;
  // OIDC Discovery §3 defaults request_uri_parameter_supported to true: say we support none
  // of the request-object parameters.
  doc[wire::kClaimsParameterSupported] = false;
  doc[wire::kRequestParameterSupported] = false;
  doc[wire::kRequestUriParameterSupported] = false;
  return doc;
}

void add_discovery_routes(http::Router& router, std::shared_ptr<keys::KeyManager> keys,
                          DiscoveryMetadata metadata, std::chrono::seconds max_age) {
  const std::size_t document =
      keys->add_document([metadata = std::move(metadata)](const keys::KeySetInfo& info) {
        return discovery_document(metadata, info.signing_algs)
            .dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
      });
  const http::Handler handler =
      key_set_document_handler(std::move(keys), "application/json", max_age,
                               [document](const keys::KeySnapshot& snapshot) -> const std::string& {
                                 return snapshot.documents.at(document);
                               });
  router.add(http::Method::Get, std::string(kOpenIdConfigurationPath), handler);
  router.add(http::Method::Get, std::string(kAuthorizationServerMetadataPath), handler);
}

}  // namespace keyward::server
