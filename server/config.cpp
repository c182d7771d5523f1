#include "server/config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "common/base64url.h"
#include "common/crypto.h"

namespace keyward::server {

namespace {

// Built by appending: GCC 12 at -O3 warns (-Wrestrict, a known false positive) on
// "\"" + std::string(v).
std::string in_quotes(std::string_view v) {
  std::string out;
  out.reserve(v.size() + 2);
  out.push_back('"');
  out.append(v);
  out.push_back('"');
  return out;
}

std::optional<uint64_t> parse_whole(std::string_view text) {
  if (text.empty() || text.size() > 18 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::stoull(std::string(text));
}

std::optional<bool> parse_bool(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (lower == "true" || lower == "1" || lower == "yes") return true;
  if (lower == "false" || lower == "0" || lower == "no") return false;
  return std::nullopt;
}

std::optional<std::string> hex_decode(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size() / 2);
  for (size_t i = 0; i < text.size(); i += 2) {
    const int hi = nibble(text[i]);
    const int lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

// Reads settings one by one, collecting every problem.
class Reader {
 public:
  explicit Reader(const EnvGetter& env) : env_(env) {}

  std::string raw(std::string_view name) {
    const Setting* s = find_setting(name);
    if (!s) throw std::logic_error("setting not in kSettings: " + std::string(name));
    auto v = env_(name);
    if (v && !v->empty()) return *v;
    return std::string(s->default_value);
  }
  bool is_set(std::string_view name) {
    auto v = env_(name);
    return v && !v->empty();
  }

  uint64_t whole(std::string_view name, uint64_t min, uint64_t max, std::string_view unit) {
    const std::string v = raw(name);
    auto n = parse_whole(v);
    if (!n || *n < min || *n > max) {
      fail(std::string(name) + " must be a whole number" + std::string(unit) + " between " +
           std::to_string(min) + " and " + std::to_string(max) + " (got " + in_quotes(v) + ")");
      return min;
    }
    return *n;
  }
  std::chrono::seconds seconds(std::string_view name, uint64_t min, uint64_t max) {
    return std::chrono::seconds(whole(name, min, max, " of seconds"));
  }
  bool boolean(std::string_view name) {
    const std::string v = raw(name);
    auto b = parse_bool(v);
    if (!b) {
      fail(std::string(name) + " must be true or false (got " + in_quotes(v) + ")");
      return false;
    }
    return *b;
  }

  void fail(std::string message) { errors_.push_back(std::move(message)); }
  std::vector<std::string>& errors() { return errors_; }

 private:
  const EnvGetter& env_;
  std::vector<std::string> errors_;
};

// Self-service accounts and their mail (issue 12).
void check_accounts(Reader& r, Config& c) {
  {
    const std::string v = r.raw("KEYWARD_REGISTRATION");
    if (v == "open" || v == "closed") {
      c.registration_open = v == "open";
    } else {
      r.fail("KEYWARD_REGISTRATION must be open or closed (got " + in_quotes(v) + ")");
    }
  }
  {
    const std::string v = r.raw("KEYWARD_DCR");
    if (v == "off") {
      c.dcr = Config::DcrMode::Off;
    } else if (v == "token") {
      c.dcr = Config::DcrMode::Token;
    } else if (v == "open") {
      c.dcr = Config::DcrMode::Open;
      c.warnings.push_back(
          "KEYWARD_DCR is open: anyone can register clients at /register (sign-in clients "
          "only; users still consent to each)");
    } else {
      r.fail("KEYWARD_DCR must be off, token or open (got " + in_quotes(v) + ")");
    }
  }
  if (r.is_set("KEYWARD_SMTP_URL")) {
    const std::string v = r.raw("KEYWARD_SMTP_URL");
    const bool scheme_ok = v.starts_with("smtp://") || v.starts_with("smtps://");
    const auto host = v.substr(v.find("://") == std::string::npos ? 0 : v.find("://") + 3);
    if (!scheme_ok || host.empty() || host.front() == '/' || host.front() == ':' ||
        host.find('@') != std::string::npos) {
      // The URL may carry credentials: it is not quoted back.
      r.fail(
          "KEYWARD_SMTP_URL must be smtp://host[:port] or smtps://host[:port], without "
          "credentials (set KEYWARD_SMTP_USERNAME and KEYWARD_SMTP_PASSWORD)");
    } else {
      c.smtp_url = v;
    }
  }
  if (r.is_set("KEYWARD_SMTP_USERNAME")) c.smtp_username = r.raw("KEYWARD_SMTP_USERNAME");
  if (r.is_set("KEYWARD_SMTP_PASSWORD")) c.smtp_password = r.raw("KEYWARD_SMTP_PASSWORD");
  c.smtp_from = r.raw("KEYWARD_SMTP_FROM");
  if (c.smtp_from.empty()) {
    std::string_view host = c.issuer;
    if (const auto at = host.find("://"); at != std::string_view::npos) host.remove_prefix(at + 3);
    host = host.substr(0, host.find('/'));
    if (host.starts_with('[')) {
      host = host.substr(0, host.find(']') + 1);
    } else {
      host = host.substr(0, host.find(':'));
    }
    c.smtp_from = "Keyward <no-reply@" + std::string(host.empty() ? "localhost" : host) + ">";
  }
  if (c.smtp_from.find_first_of("\r\n") != std::string::npos) {
    r.fail("KEYWARD_SMTP_FROM must be one line");
  }
  c.mail_limit_per_hour =
      static_cast<uint32_t>(r.whole("KEYWARD_MAIL_LIMIT_PER_HOUR", 1, 1000, ""));
}

bool is_local_host(std::string_view host) {
  return host == "localhost" || host == "127.0.0.1" || host == "[::1]";
}

// issuer = scheme "://" host [":" port] [path], with no userinfo, query, fragment or
// trailing slash (OIDC Discovery §4.3 compares issuers character for character).
void check_issuer(Reader& r, Config& c) {
  const std::string v = r.raw("KEYWARD_ISSUER");
  const std::string fix =
      "KEYWARD_ISSUER must be an absolute https URL such as https://id.example.com";
  std::string_view rest = v;
  bool https = false;
  if (rest.starts_with("https://")) {
    https = true;
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else {
    r.fail(fix + " (got " + in_quotes(v) + ")");
    return;
  }
  if (v.find_first_of("?#@ \t\r\n") != std::string::npos) {
    r.fail(fix + ", with no query, fragment, userinfo or whitespace (got " + in_quotes(v) + ")");
    return;
  }
  if (v.ends_with("/")) {
    r.fail(
        "KEYWARD_ISSUER must not end with '/': clients compare it character for character (got " +
        in_quotes(v) + ")");
    return;
  }
  const std::string_view authority = rest.substr(0, rest.find('/'));
  std::string_view host = authority;
  if (authority.starts_with("[")) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      r.fail(fix + " (got " + in_quotes(v) + ")");
      return;
    }
    host = authority.substr(0, close + 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && (!after.starts_with(":") || !parse_whole(after.substr(1)))) {
      r.fail(fix + " (got " + in_quotes(v) + ")");
      return;
    }
  } else if (const size_t colon = authority.find(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    auto port = parse_whole(authority.substr(colon + 1));
    if (!port || *port == 0 || *port > 65535) {
      r.fail(fix + ", with a port between 1 and 65535 (got " + in_quotes(v) + ")");
      return;
    }
  }
  if (host.empty()) {
    r.fail(fix + " (got " + in_quotes(v) + ")");
    return;
  }
  c.issuer = v;
  if (!https) {
    if (is_local_host(host)) {
      c.warnings.push_back("KEYWARD_ISSUER is plain http (" + v +
                           "): fine on this machine, but tokens and cookies would travel in clear "
                           "anywhere else; use https in production");
    } else if (c.allow_insecure_issuer) {
      c.warnings.push_back("KEYWARD_ISSUER is plain http on a non-local host (" + v +
                           ") because KEYWARD_ALLOW_INSECURE_ISSUER is true: never do this in "
                           "production");
    } else {
      r.fail("KEYWARD_ISSUER " + in_quotes(v) +
             " is plain http for a host other than localhost: use https, or set "
             "KEYWARD_ALLOW_INSECURE_ISSUER=true to allow it (never in production)");
    }
  }
}

void check_listen(Reader& r, Config& c) {
  const std::string v = r.raw("KEYWARD_LISTEN");
  const std::string fix =
      "KEYWARD_LISTEN must be host:port with an IP address or localhost and a port between 0 and "
      "65535, e.g. 127.0.0.1:8081 or [::1]:8081 (got " +
      in_quotes(v) + ")";
  std::string_view host;
  std::string_view port;
  if (v.starts_with("[")) {
    const size_t close = v.find(']');
    if (close == std::string::npos || v.size() < close + 2 || v[close + 1] != ':') {
      r.fail(fix);
      return;
    }
    host = std::string_view(v).substr(1, close - 1);
    port = std::string_view(v).substr(close + 2);
  } else {
    const size_t colon = v.rfind(':');
    if (colon == std::string::npos) {
      r.fail(fix);
      return;
    }
    host = std::string_view(v).substr(0, colon);
    port = std::string_view(v).substr(colon + 1);
  }
  auto p = parse_whole(port);
  std::optional<http::IpAddress> ip =
      host == "localhost" ? http::IpAddress::parse("127.0.0.1") : http::IpAddress::parse(host);
  if (!p || *p > 65535 || !ip || (!v.starts_with("[") && !ip->is_v4())) {
    r.fail(fix);
    return;
  }
  c.listen.host = ip->to_string();
  c.listen.port = static_cast<uint16_t>(*p);
  if (!ip->is_loopback()) {
    c.warnings.push_back("KEYWARD_LISTEN binds to " + c.listen.to_string() +
                         ", which is not loopback: Pistache 0.0.5 must never face clients "
                         "directly; keep nginx (the front door) in front of every instance");
  }
}

// OWASP Password Storage Cheat Sheet, Argon2id: the minimum memory for each iteration
// count (p=1); the same strength against a GPU attacker, traded between memory and time.
struct Argon2Pair {
  uint32_t iterations;
  uint32_t memory_kib;
};
constexpr std::array<Argon2Pair, 5> kOwaspArgon2Pairs{
    {{1, 47104}, {2, 19456}, {3, 12288}, {4, 9216}, {5, 7168}}};

// The message when m/t is below every pair it could match (memory at least the minimum
// for its iteration count; above 5 iterations the t=5 minimum applies), else nullopt.
std::optional<std::string> argon2_below_owasp(uint32_t memory_kib, uint32_t iterations) {
  const Argon2Pair& pair = kOwaspArgon2Pairs[std::min<size_t>(iterations, 5) - 1];
  if (memory_kib >= pair.memory_kib) return std::nullopt;
  std::string pairs;
  for (const auto& p : kOwaspArgon2Pairs) {
    if (!pairs.empty()) pairs += ", ";
    pairs += "m=" + std::to_string(p.memory_kib) + " t=" + std::to_string(p.iterations);
  }
  return "KEYWARD_ARGON2_MEMORY_KIB=" + std::to_string(memory_kib) +
         " with KEYWARD_ARGON2_ITERATIONS=" + std::to_string(iterations) +
         " is below OWASP's minimum for Argon2id: with " + std::to_string(iterations) +
         (iterations == 1 ? " iteration" : " iterations") + " use at least " +
         std::to_string(pair.memory_kib) + " KiB (" + std::to_string(pair.memory_kib / 1024) +
         " MiB); the minimum pairs are " + pairs;
}

}  // namespace

const Setting* find_setting(std::string_view name) {
  for (const auto& s : kSettings) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::string ListenAddress::to_string() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

EnvGetter process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

std::optional<std::string> parse_master_key(std::string_view text) {
  std::optional<std::string> bytes;
  if (text.size() == 64) {
    bytes = hex_decode(text);
  } else if (text.size() == 43) {
    bytes = base64url_decode(text);
  }
  if (!bytes || bytes->size() != 32) return std::nullopt;
  return bytes;
}

Result<Config, std::vector<std::string>> load_config(const EnvGetter& env) {
  Reader r(env);
  Config c;

  c.allow_insecure_issuer = r.boolean("KEYWARD_ALLOW_INSECURE_ISSUER");
  check_issuer(r, c);
  check_listen(r, c);

  if (r.is_set("KEYWARD_DATABASE_URL")) c.database_url = r.raw("KEYWARD_DATABASE_URL");

  if (r.is_set("KEYWARD_MASTER_KEY")) {
    // Never quote the value: it is a secret even when malformed.
    c.master_key = parse_master_key(r.raw("KEYWARD_MASTER_KEY"));
    if (!c.master_key) {
      r.fail(
          "KEYWARD_MASTER_KEY must be 32 bytes as base64url (43 characters) or hex (64 "
          "characters); generate one with: openssl rand -hex 32");
    }
  }
  c.data_dir = r.raw("KEYWARD_DATA_DIR");

  c.threads = static_cast<int>(r.whole("KEYWARD_THREADS", 1, 64, ""));
  c.workers = static_cast<int>(r.whole("KEYWARD_WORKERS", 1, 256, ""));
  c.queue_deadline = r.seconds("KEYWARD_QUEUE_DEADLINE", 1, 300);

  {
    const std::string v = r.raw("KEYWARD_TRUSTED_PROXIES");
    auto proxies = http::TrustedProxies::parse(v);
    if (proxies.ok()) {
      c.trusted_proxies = std::move(proxies).value();
    } else {
      r.fail(
          "KEYWARD_TRUSTED_PROXIES must be a comma-separated list of IP addresses or CIDR "
          "blocks, or none: " +
          proxies.error());
    }
  }

  c.access_token_ttl = r.seconds("KEYWARD_ACCESS_TOKEN_TTL", 60, 86400);
  c.refresh_token_ttl = r.seconds("KEYWARD_REFRESH_TOKEN_TTL", 60, 31536000);
  c.id_token_ttl = r.seconds("KEYWARD_ID_TOKEN_TTL", 60, 86400);
  // RFC 6749 §4.1.2: a maximum lifetime of 10 minutes is RECOMMENDED; DESIGN.md caps it at 60 s.
  c.code_ttl = r.seconds("KEYWARD_CODE_TTL", 1, 60);
  // Kept short: within it a stolen rotated token is worth its successor (docs/security.md).
  c.refresh_reuse_grace = r.seconds("KEYWARD_REFRESH_REUSE_GRACE", 0, 60);
  c.password_grant = r.boolean("KEYWARD_PASSWORD_GRANT");
  if (c.password_grant) {
    c.warnings.push_back(
        "KEYWARD_PASSWORD_GRANT is on: first-party confidential clients may take users' "
        "passwords directly (RFC 9700 §2.4 says this grant MUST NOT be used); prefer the "
        "authorization code flow");
  }
  c.session_ttl = r.seconds("KEYWARD_SESSION_TTL", 300, 2592000);
  c.session_idle_timeout = r.seconds("KEYWARD_SESSION_IDLE_TIMEOUT", 60, 2592000);
  if (c.session_idle_timeout > c.session_ttl) {
    r.fail("KEYWARD_SESSION_IDLE_TIMEOUT must not exceed KEYWARD_SESSION_TTL");
  }

  {
    const size_t errors_before = r.errors().size();
    // Any positive amount parses; below OWASP's pairs the message below says what to use.
    c.argon2_memory_kib =
        static_cast<uint32_t>(r.whole("KEYWARD_ARGON2_MEMORY_KIB", 1, 4194304, " of KiB"));
    c.argon2_iterations = static_cast<uint32_t>(r.whole("KEYWARD_ARGON2_ITERATIONS", 1, 16, ""));
    c.argon2_parallelism = static_cast<uint32_t>(r.whole("KEYWARD_ARGON2_PARALLELISM", 1, 16, ""));
    if (r.errors().size() == errors_before) {
      if (auto weak = argon2_below_owasp(c.argon2_memory_kib, c.argon2_iterations)) {
        r.fail(std::move(*weak));
      }
    }
  }

  c.key_publication_delay = r.seconds("KEYWARD_KEY_PUBLICATION_DELAY", 0, 2592000);
  {
    const std::string v = r.raw("KEYWARD_KEY_ROTATION_INTERVAL");
    auto n = parse_whole(v);
    if (!n || (*n != 0 && (*n < 3600 || *n > 315360000))) {
      r.fail(
          "KEYWARD_KEY_ROTATION_INTERVAL must be 0 (never rotate) or a whole number of seconds "
          "between 3600 and 315360000 (got " +
          in_quotes(v) + ")");
    } else {
      c.key_rotation_interval = std::chrono::seconds(*n);
      if (*n != 0 && c.key_rotation_interval <= c.key_publication_delay) {
        r.fail("KEYWARD_KEY_ROTATION_INTERVAL (" + v +
               " s) must be longer than KEYWARD_KEY_PUBLICATION_DELAY (" +
               std::to_string(c.key_publication_delay.count()) +
               " s): a key must be published before the next one replaces it");
      }
    }
  }

  check_accounts(r, c);

  {
    const std::string v = r.raw("KEYWARD_EVENTS");
    if (v == "on" || v == "off") {
      c.events = v == "on";
    } else {
      r.fail("KEYWARD_EVENTS must be on or off (got " + in_quotes(v) + ")");
    }
  }
  c.event_retention =
      std::chrono::hours(24 * r.whole("KEYWARD_EVENT_RETENTION", 1, 3650, " of days"));
  c.janitor_interval = r.seconds("KEYWARD_JANITOR_INTERVAL", 60, 86400);

  c.migrations_dir = r.raw("KEYWARD_MIGRATIONS_DIR");
  c.templates_dir = r.raw("KEYWARD_TEMPLATES_DIR");

  {
    const std::string v = r.raw("KEYWARD_LOG_LEVEL");
    auto level = parse_log_level(v);
    if (level) {
      c.log_level = *level;
    } else {
      r.fail("KEYWARD_LOG_LEVEL must be debug, info, warn or error (got " + in_quotes(v) + ")");
    }
  }

  if (!r.errors().empty()) return err(std::move(r.errors()));
  return c;
}

Result<std::string, std::string> require_database_url(const Config& config) {
  if (!config.database_url) {
    return err(std::string(
        "KEYWARD_DATABASE_URL is not set: set it to a PostgreSQL connection string, e.g. "
        "KEYWARD_DATABASE_URL='postgresql://keyward@localhost:5432/keyward' (for the development "
        "cluster: KEYWARD_DATABASE_URL=\"$(scripts/pg.sh url)\")"));
  }
  return *config.database_url;
}

Result<MasterKey, std::string> resolve_master_key(const Config& config) {
  if (config.master_key) return MasterKey{*config.master_key, false, {}};

  namespace fs = std::filesystem;
  const fs::path path = config.data_dir / "master.key";
  auto read_key = [&]() -> Result<MasterKey, std::string> {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    std::string s = text.str();
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    auto bytes = parse_master_key(s);
    if (!in || !bytes) {
      return err("the development master key " + path.string() +
                 " is unreadable or malformed: delete it to generate a new one, or set "
                 "KEYWARD_MASTER_KEY");
    }
    return MasterKey{*bytes, true, path};
  };

  std::error_code ec;
  if (fs::exists(path, ec)) return read_key();

  fs::create_directories(config.data_dir, ec);
  if (ec) {
    return err("cannot create KEYWARD_DATA_DIR " + config.data_dir.string() + ": " + ec.message() +
               "; set KEYWARD_DATA_DIR to a writable folder or set KEYWARD_MASTER_KEY");
  }
  // Write a private temporary file, then link it into place: when several instances
  // start at once, exactly one link succeeds and everyone reads the same key.
  const fs::path tmp = config.data_dir / ("master.key.tmp." + to_hex(random_bytes(8)));
  const std::string contents = to_hex(random_bytes(32)) + "\n";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return err("cannot write " + tmp.string() + ": " + std::strerror(errno) +
               "; set KEYWARD_DATA_DIR to a writable folder or set KEYWARD_MASTER_KEY");
  }
  const bool written =
      ::write(fd, contents.data(), contents.size()) == static_cast<ssize_t>(contents.size()) &&
      ::fsync(fd) == 0;
  ::close(fd);
  if (!written) {
    ::unlink(tmp.c_str());
    return err("cannot write " + tmp.string() + "; set KEYWARD_MASTER_KEY");
  }
  const int linked = ::link(tmp.c_str(), path.c_str());
  const int link_errno = errno;
  ::unlink(tmp.c_str());
  if (linked != 0 && link_errno != EEXIST) {
    return err("cannot create " + path.string() + ": " + std::strerror(link_errno));
  }
  return read_key();
}

}  // namespace keyward::server
