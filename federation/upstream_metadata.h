#pragma once
// An upstream provider's discovery document (OpenID Connect Discovery 1.0 §3, RFC 8414 §2),
// fetched from {issuer}/.well-known/openid-configuration and checked before Keyward relies
// on it: the issuer named exactly (§4.3, or anyone answering that URL could name their own
// keys), the endpoints of the code flow present and https, the code flow with PKCE S256
// supported, and a client authentication and an ID-token algorithm we can use.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "resource_server/http_fetcher.h"

namespace keyward::federation {

// How Keyward authenticates to the upstream's token endpoint (RFC 6749 §2.3.1).
enum class ClientAuthMethod { ClientSecretBasic, ClientSecretPost };

struct UpstreamMetadata {
  std::string issuer;
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::string jwks_uri;
  std::optional<std::string> userinfo_endpoint;
  // RFC 9207 §3: when true, every authorization response must carry `iss`.
  bool iss_parameter_supported = false;
  // client_secret_basic when the upstream lists it or lists nothing (RFC 8414 §2's default),
  // else client_secret_post.
  ClientAuthMethod client_auth = ClientAuthMethod::ClientSecretBasic;
  // id_token_signing_alg_values_supported as published (empty when absent).
  std::vector<std::string> id_token_signing_algs;
};

// Parses and checks a discovery document for the upstream `issuer`; the error says what is
// wrong with it (for the operator and the logs).
[[nodiscard]] Result<UpstreamMetadata, std::string> parse_upstream_metadata(
    std::string_view document, std::string_view issuer);

// OIDC Discovery 1.0 §4: the issuer without its trailing slashes, then the well-known path.
[[nodiscard]] std::string discovery_url(std::string_view issuer);

struct DiscoveryError {
  // True when the document could not be had (transport failure, a 5xx); false when the
  // upstream answered and what it said is unusable (a 4xx, not JSON, a failed check).
  bool unreachable = false;
  std::string message;  // what went wrong, naming the URL; no secret is ever in it
};

// GET discovery_url(issuer) through `fetcher`, then parse_upstream_metadata.
[[nodiscard]] Result<UpstreamMetadata, DiscoveryError> fetch_upstream_metadata(
    rs::HttpFetcher& fetcher, std::string_view issuer);

}  // namespace keyward::federation
