#include "resource_server/sample/rs_config.h"

#include <cstdlib>

namespace keyward::rs {
namespace {

class Reader {
 public:
  explicit Reader(const RsEnv& env) : env_(env) {}

  std::string text(std::string_view name) {
    if (auto v = env_(name); v && !v->empty()) return *v;
    for (const auto& s : kRsSettings) {
      if (s.name == name) return std::string(s.default_value);
    }
    return {};
  }

  long long integer(std::string_view name, long long min, long long max) {
    const std::string value = text(name);
    char* end = nullptr;
    errno = 0;
    const long long n = std::strtoll(value.c_str(), &end, 10);
    if (value.empty() || errno != 0 || *end != '\0' || n < min || n > max) {
      errors.push_back(std::string(name) + " must be an integer from " + std::to_string(min) +
                       " to " + std::to_string(max) + ", not '" + value + "'");
      return min;
    }
    return n;
  }

  std::chrono::seconds seconds(std::string_view name, long long min, long long max) {
    return std::chrono::seconds(integer(name, min, max));
  }

  std::vector<std::string> errors;

 private:
  const RsEnv& env_;
};

std::vector<std::string> split_commas(std::string_view list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = list.find(',', start);
    const size_t end = comma == std::string_view::npos ? list.size() : comma;
    std::string_view item = list.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

std::optional<RsListen> parse_listen(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (text.starts_with('[')) {
    const size_t close = text.find("]:");
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return std::nullopt;  // v6 needs brackets
  }
  if (!http::IpAddress::parse(host)) return std::nullopt;
  if (port.empty() || port.size() > 5) return std::nullopt;
  unsigned n = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<unsigned>(c - '0');
  }
  if (n > 65535) return std::nullopt;
  return RsListen{std::string(host), static_cast<uint16_t>(n)};
}

bool is_loopback(std::string_view host) {
  return host.starts_with("127.") || host == "::1";
}

}  // namespace

std::string RsListen::to_string() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

RsEnv rs_process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
  };
}

Result<RsConfig, std::vector<std::string>> load_rs_config(const RsEnv& env) {
  Reader r(env);
  RsConfig c;

  const std::string listen = r.text("KEYWARD_RS_LISTEN");
  if (auto parsed = parse_listen(listen)) {
    c.listen = *parsed;
    if (!is_loopback(c.listen.host)) {
      c.warnings.push_back("KEYWARD_RS_LISTEN is " + listen +
                           ", not loopback: Pistache must sit behind the front door (nginx); "
                           "never expose this port directly");
    }
  } else {
    r.errors.push_back("KEYWARD_RS_LISTEN must be host:port or [v6]:port with an IP host, not '" +
                       listen + "'");
  }

  const std::string issuer = r.text("KEYWARD_RS_ISSUER");
  if (!issuer.starts_with("https://") && !issuer.starts_with("http://")) {
    r.errors.push_back("KEYWARD_RS_ISSUER must be an http(s) URL, not '" + issuer + "'");
  }
  c.jwks.issuer = issuer;
  c.jwks.discovery_url = r.text("KEYWARD_RS_DISCOVERY_URL");
  c.jwks.jwks_uri = r.text("KEYWARD_RS_JWKS_URI");
  for (const auto* name : {"KEYWARD_RS_DISCOVERY_URL", "KEYWARD_RS_JWKS_URI"}) {
    const std::string v = r.text(name);
    if (!v.empty() && !v.starts_with("https://") && !v.starts_with("http://")) {
      r.errors.push_back(std::string(name) + " must be an http(s) URL, not '" + v + "'");
    }
  }
  c.jwks.default_ttl = r.seconds("KEYWARD_RS_JWKS_DEFAULT_TTL", 1, 86400);
  c.jwks.min_ttl = r.seconds("KEYWARD_RS_JWKS_MIN_TTL", 1, 86400);
  c.jwks.max_ttl = r.seconds("KEYWARD_RS_JWKS_MAX_TTL", 1, 86400);
  if (c.jwks.min_ttl > c.jwks.max_ttl) {
    r.errors.push_back("KEYWARD_RS_JWKS_MIN_TTL must not exceed KEYWARD_RS_JWKS_MAX_TTL");
  }
  c.jwks.refetch_interval = r.seconds("KEYWARD_RS_JWKS_REFETCH_INTERVAL", 0, 3600);
  c.jwks.retry_interval = r.seconds("KEYWARD_RS_JWKS_RETRY_INTERVAL", 1, 3600);
  c.jwks.stale_if_error = r.seconds("KEYWARD_RS_JWKS_STALE_IF_ERROR", 0, 604800);

  c.verifier.issuer = issuer;
  c.verifier.audiences = split_commas(r.text("KEYWARD_RS_AUDIENCE"));
  if (c.verifier.audiences.empty()) r.errors.push_back("KEYWARD_RS_AUDIENCE must name an audience");
  c.verifier.algorithms.clear();
  for (const auto& name : split_commas(r.text("KEYWARD_RS_ALGORITHMS"))) {
    if (auto alg = jose::parse_alg(name)) {
      c.verifier.algorithms.push_back(*alg);
    } else {
      r.errors.push_back("KEYWARD_RS_ALGORITHMS: '" + name +
                         "' is not one of RS256, ES256, EdDSA (none and HS* are never accepted)");
    }
  }
  if (c.verifier.algorithms.empty()) {
    r.errors.push_back("KEYWARD_RS_ALGORITHMS must name at least one algorithm");
  }
  c.verifier.leeway = r.seconds("KEYWARD_RS_LEEWAY", 0, 300);
  c.verifier.token_cache_size =
      static_cast<size_t>(r.integer("KEYWARD_RS_TOKEN_CACHE_SIZE", 0, 1000000));
  c.realm = r.text("KEYWARD_RS_REALM");

  c.database_url = r.text("KEYWARD_RS_DATABASE_URL");
  if (c.database_url.empty()) {
    r.errors.push_back(
        "KEYWARD_RS_DATABASE_URL is required (a libpq conninfo or postgresql:// URL)");
  }
  c.migrations_dir = r.text("KEYWARD_RS_MIGRATIONS_DIR");
  c.threads = static_cast<int>(r.integer("KEYWARD_RS_THREADS", 1, 64));
  c.workers = static_cast<int>(r.integer("KEYWARD_RS_WORKERS", 1, 256));
  const std::string proxies = r.text("KEYWARD_RS_TRUSTED_PROXIES");
  if (auto parsed = http::TrustedProxies::parse(proxies); parsed.ok()) {
    c.trusted_proxies = std::move(parsed).value();
  } else {
    r.errors.push_back("KEYWARD_RS_TRUSTED_PROXIES: " + parsed.error());
  }
  if (auto allowed = http::AddressAllowList::parse(r.text("KEYWARD_RS_METRICS_ALLOW"));
      allowed.ok()) {
    c.metrics_allow = std::move(allowed).value();
  } else {
    r.errors.push_back("KEYWARD_RS_METRICS_ALLOW: " + allowed.error());
  }
  if (auto level = parse_log_level(r.text("KEYWARD_RS_LOG_LEVEL"))) {
    c.log_level = *level;
  } else {
    r.errors.push_back("KEYWARD_RS_LOG_LEVEL must be debug, info, warn or error");
  }
  if (!r.errors.empty()) return err(std::move(r.errors));
  return c;
}

}  // namespace keyward::rs
