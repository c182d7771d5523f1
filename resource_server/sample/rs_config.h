#pragma once
// The sample resource server's configuration, from KEYWARD_RS_* environment variables.
// kRsSettings is the single source of names, defaults and descriptions; docs/endpoints.md
// ("Sample resource server") documents every one (a unit test checks it).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/log.h"
#include "common/result.h"
#include "http/client_ip.h"
#include "http/metrics_endpoint.h"
#include "resource_server/jwks_cache.h"
#include "resource_server/verifier.h"

#ifndef KEYWARD_RS_DEFAULT_MIGRATIONS_DIR
#define KEYWARD_RS_DEFAULT_MIGRATIONS_DIR "resource_server/migrations"
#endif

namespace keyward::rs {

struct RsSetting {
  std::string_view name;
  std::string_view default_value;
  std::string_view description;
};

inline constexpr RsSetting kRsSettings[] = {
    {"KEYWARD_RS_LISTEN", "127.0.0.1:8082",
     "Address and port the sample resource server binds (host:port or [v6]:port; port 0 picks "
     "a free one, logged). Like keyward, it belongs behind the front door."},
    {"KEYWARD_RS_ISSUER", "http://localhost:8080",
     "The issuer whose access tokens are accepted: compared byte for byte with iss and with "
     "the discovery document's issuer."},
    {"KEYWARD_RS_DISCOVERY_URL", "",
     "Where to fetch the discovery document; default: KEYWARD_RS_ISSUER + "
     "/.well-known/openid-configuration."},
    {"KEYWARD_RS_JWKS_URI", "",
     "Fetch the JWKS here and skip discovery (for when the issuer's public URL is not "
     "reachable from this host, as inside docker compose)."},
    {"KEYWARD_RS_AUDIENCE", "keyward-sample-rs",
     "Comma-separated audiences this server answers to; a token's aud must name one. Register "
     "clients with `keyward client create ... --audience keyward-sample-rs`."},
    {"KEYWARD_RS_REALM", "keyward-sample-rs", "The realm in WWW-Authenticate challenges."},
    {"KEYWARD_RS_ALGORITHMS", "RS256,ES256,EdDSA",
     "Comma-separated JWS algorithms accepted (RS256, ES256, EdDSA); the token's alg header "
     "only selects among these."},
    {"KEYWARD_RS_LEEWAY", "30", "Clock skew tolerated on exp, nbf and iat, in seconds (0-300)."},
    {"KEYWARD_RS_JWKS_DEFAULT_TTL", "300",
     "Seconds a JWKS is kept when its response has no Cache-Control max-age (1-86400)."},
    {"KEYWARD_RS_JWKS_MIN_TTL", "30",
     "Lower bound on the JWKS max-age honoured, in seconds (1-86400)."},
    {"KEYWARD_RS_JWKS_MAX_TTL", "3600",
     "Upper bound on the JWKS max-age honoured, in seconds (1-86400)."},
    {"KEYWARD_RS_JWKS_REFETCH_INTERVAL", "30",
     "At most one JWKS refetch per this many seconds because a token named an unknown kid "
     "(0-3600)."},
    {"KEYWARD_RS_JWKS_RETRY_INTERVAL", "5",
     "Seconds between attempts after a failed JWKS fetch (1-3600)."},
    {"KEYWARD_RS_JWKS_STALE_IF_ERROR", "3600",
     "Seconds expired keys stay in use while the issuer cannot be reached (0-604800)."},
    {"KEYWARD_RS_TOKEN_CACHE_SIZE", "10000",
     "Verified tokens remembered until their exp (0 turns the cache off; at most 1000000)."},
    {"KEYWARD_RS_DATABASE_URL", "",
     "PostgreSQL for the server's own tables (schema sample_rs, migrated at start). Required."},
    {"KEYWARD_RS_MIGRATIONS_DIR", KEYWARD_RS_DEFAULT_MIGRATIONS_DIR,
     "Folder of the sample server's migrations (default: the source tree's "
     "resource_server/migrations, fixed at build time)."},
    {"KEYWARD_RS_THREADS", "2", "Pistache reactor threads (1-64)."},
    {"KEYWARD_RS_WORKERS", "2",
     "Worker threads for token verification and database calls (1-256)."},
    {"KEYWARD_RS_TRUSTED_PROXIES", "127.0.0.1,::1",
     "Comma-separated addresses or CIDR blocks whose X-Forwarded-For is believed; `none` "
     "trusts nobody."},
    {"KEYWARD_RS_METRICS_ALLOW", "127.0.0.0/8,::1",
     "Comma-separated addresses or CIDR blocks (IPv4 and IPv6) that may read GET /metrics, "
     "judged on the client address after KEYWARD_RS_TRUSTED_PROXIES; anyone else gets 404. "
     "`none` serves it to nobody."},
    {"KEYWARD_RS_LOG_LEVEL", "info", "debug, info, warn or error."},
};

struct RsListen {
  std::string host;  // an IP literal, without brackets
  uint16_t port = 0;
  [[nodiscard]] std::string to_string() const;
};

struct RsConfig {
  RsListen listen;
  std::string realm;
  JwksCacheOptions jwks;
  VerifierOptions verifier;
  std::string database_url;
  std::filesystem::path migrations_dir;
  int threads = 2;
  int workers = 2;
  http::TrustedProxies trusted_proxies;
  http::AddressAllowList metrics_allow;
  LogLevel log_level = LogLevel::Info;
  std::vector<std::string> warnings;  // accepted but worth a loud line at start
};

// An empty value counts as unset (compose files pass ${VAR:-}).
using RsEnv = std::function<std::optional<std::string>(std::string_view name)>;
[[nodiscard]] RsEnv rs_process_env();

// Every problem is reported, not only the first.
[[nodiscard]] Result<RsConfig, std::vector<std::string>> load_rs_config(const RsEnv& env);

}  // namespace keyward::rs
