#pragma once
// GET /.well-known/openid-configuration (OpenID Connect Discovery 1.0 §3, §4) and
// GET /.well-known/oauth-authorization-server (RFC 8414 §2, §3).
//
// Both serve one document: RFC 8414 §2 takes the OpenID metadata names as registered OAuth
// metadata, so a client reading either learns the same endpoints and capabilities. It is
// rendered by the key manager once per key change (id_token_signing_alg_values_supported
// follows the key set) and served pre-serialised from the reactor.
#include <array>
#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "grants/id_token.h"
#include "grants/scope.h"
#include "grants/wire.h"
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
  // Empty (not listed) unless dynamic registration is on (KEYWARD_DCR token or open).
  std::string registration_endpoint;
  // The grant types the token endpoint serves (its registry, as compose.cpp fills it).
  std::vector<std::string> grant_types;
  std::vector<std::string> response_types = strings(grants::wire::kCode);
  std::vector<std::string> response_modes = strings(grants::wire::kQuery);
  // What grants/ defines: the scopes Keyward gives a meaning to (grants/scope.h) and the
  // claims its ID tokens and UserInfo carry (grants/id_token.h).
  std::vector<std::string> scopes = listed(grants::kKnownScopes);
  std::vector<std::string> claims = listed(grants::kSupportedClaims);
  std::vector<std::string> token_endpoint_auth_methods =
      strings(grants::wire::kClientSecretBasic, grants::wire::kClientSecretPost,
              grants::wire::kAuthMethodNone);
  // RFC 7662 §2.1: the caller must authenticate; a public client has nothing to present.
  std::vector<std::string> introspection_endpoint_auth_methods =
      strings(grants::wire::kClientSecretBasic, grants::wire::kClientSecretPost);
  // RFC 7009 §2.1: public clients revoke their own tokens with client_id alone.
  std::vector<std::string> revocation_endpoint_auth_methods =
      strings(grants::wire::kClientSecretBasic, grants::wire::kClientSecretPost,
              grants::wire::kAuthMethodNone);

 private:
  template <class... Names>
  static std::vector<std::string> strings(Names... names) {
    return {std::string(names)...};
  }
  template <std::size_t N>
  static std::vector<std::string> listed(const std::array<std::string_view, N>& names) {
    return std::vector<std::string>(names.begin(), names.end());
  }
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
