#pragma once
// GET /.well-known/openid-configuration (OpenID Connect Discovery 1.0 §3, §4) and
// GET /.well-known/oauth-authorization-server (RFC 8414 §2, §3).
//
// Both serve one document: RFC 8414 §2 takes the OpenID metadata names as registered OAuth
// metadata, so a client reading either learns the same endpoints and capabilities. It is
// rendered by the key manager once per key change (id_token_signing_alg_values_supported
// follows the key set) and served pre-serialised from the reactor.
#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/router.h"
#include "jose/alg.h"
#include "keys/key_manager.h"

namespace keyward::server {

inline constexpr std::string_view kOpenIdConfigurationPath = "/.well-known/openid-configuration";
inline constexpr std::string_view kAuthorizationServerMetadataPath =
    "/.well-known/oauth-authorization-server";

// What this instance supports, as the composition root enables it. Endpoint paths are
// joined to the issuer; an empty path leaves its member out.
struct DiscoveryMetadata {
  std::string issuer;  // KEYWARD_ISSUER, copied byte for byte
  std::string authorization_endpoint = "/authorize";
  std::string token_endpoint = "/token";
  std::string userinfo_endpoint = "/userinfo";
  std::string jwks_uri = "/jwks";
  std::string introspection_endpoint = "/introspect";
  std::string revocation_endpoint = "/revoke";
  std::string end_session_endpoint = "/logout";
  // Each grant wired in compose.cpp adds its grant_type here (the token endpoint's registry).
  std::vector<std::string> grant_types;
  std::vector<std::string> response_types{"code"};
  std::vector<std::string> response_modes{"query"};
  std::vector<std::string> scopes{"openid"};
  std::vector<std::string> claims{"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "azp"};
  std::vector<std::string> token_endpoint_auth_methods{"client_secret_basic", "client_secret_post",
                                                       "none"};
  // RFC 7662 §2.1: the caller must authenticate; a public client has nothing to present.
  std::vector<std::string> introspection_endpoint_auth_methods{"client_secret_basic",
                                                               "client_secret_post"};
  // RFC 7009 §2.1: public clients revoke their own tokens with client_id alone.
  std::vector<std::string> revocation_endpoint_auth_methods{"client_secret_basic",
                                                            "client_secret_post", "none"};
};

// The document. id_token_signing_alg_values_supported is signing_algs: the algorithms of
// the keys that sign now or will (KeySetInfo::signing_algs).
[[nodiscard]] nlohmann::ordered_json discovery_document(const DiscoveryMetadata& metadata,
                                                        std::span<const jose::Alg> signing_algs);

// Registers the document with the key manager (before KeyManager::start()) and both routes,
// on the reactor: Content-Type application/json, Cache-Control public, max-age=<max_age>,
// Access-Control-Allow-Origin *; 503 temporarily_unavailable until the keys are loaded.
void add_discovery_routes(http::Router& router, std::shared_ptr<keys::KeyManager> keys,
                          DiscoveryMetadata metadata, std::chrono::seconds max_age);

}  // namespace keyward::server
