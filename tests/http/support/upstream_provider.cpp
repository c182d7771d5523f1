#include "tests/http/support/upstream_provider.h"

#include <openssl/pem.h>

#include <algorithm>
#include <chrono>

#include "common/base64url.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "http/form.h"
#include "http/response.h"
#include "jose/jwk.h"
#include "jose/jwt.h"

namespace keyward::test {
namespace {

using json = nlohmann::json;

std::string query_of(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string q;
  for (const auto& [name, value] : params) {
    if (!q.empty()) q += '&';
    q += name + "=" + http::form_urlencode(value);
  }
  return q;
}

http::HttpResponse redirect(const std::string& location) {
  http::HttpResponse r;
  r.status = 303;
  r.headers.set("Location", location);
  r.headers.set("Cache-Control", "no-store");
  return r;
}

// RFC 7617 §2 credentials: standard base64 of form-urlencoded id ':' secret (RFC 6749
// §2.3.1). nullopt when malformed.
std::optional<std::pair<std::string, std::string>> basic_credentials(std::string_view header) {
  if (!header.starts_with("Basic ")) return std::nullopt;
  std::string b64(header.substr(6));
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  std::replace(b64.begin(), b64.end(), '+', '-');
  std::replace(b64.begin(), b64.end(), '/', '_');
  const auto decoded = base64url_decode(b64);
  if (!decoded) return std::nullopt;
  const size_t colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  auto id = http::percent_decode(decoded->substr(0, colon));
  auto secret = http::percent_decode(decoded->substr(colon + 1));
  if (!id.ok() || !secret.ok()) return std::nullopt;
  return std::pair{std::move(id).value(), std::move(secret).value()};
}

std::string public_pem(const jose::PrivateKey& key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key.public_key().evp());
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(n));
  BIO_free(bio);
  return pem;
}

}  // namespace

UpstreamProvider::UpstreamProvider()
    : devnull_(std::fopen("/dev/null", "w")),
      logger_(LogLevel::Error, devnull_),
      service_(http::HttpServiceOptions{}, logger_),
      pool_(1, 16),
      key_(std::make_unique<jose::PrivateKey>(jose::PrivateKey::generate(jose::Alg::RS256))),
      kid_("upstream-key-1") {
  auto& router = service_.router();
  router.add(http::Method::Get, "/.well-known/openid-configuration",
             [this](const http::HttpRequest&) {
               ++discovery_requests_;
               return http::HttpResponse::json(200, discovery());
             });
  router.add(http::Method::Get, "/jwks", [this](const http::HttpRequest&) {
    ++jwks_requests_;
    std::lock_guard lock(mutex_);
    json keys = {
        {"keys", json::array({jose::Jwk::from_public_key(key_->public_key(), kid_).to_json()})}};
    auto r = http::HttpResponse::json(200, keys);
    r.headers.set("Cache-Control", "public, max-age=300");
    return r;
  });
  router.add(http::Method::Get, "/authorize",
             [this](const http::HttpRequest& request) { return authorize(request); });
  router.add(http::Method::Post, "/token",
             [this](const http::HttpRequest& request) { return token(request); });
  router.add(http::Method::Get, "/userinfo",
             [this](const http::HttpRequest& request) { return userinfo(request); });
  http::HttpServerOptions options;
  options.port = 0;
  options.threads = 1;
  server_ = std::make_unique<http::HttpServer>(service_, pool_, options);
  server_->start();
  port_ = server_->port();
  base_ = "http://127.0.0.1:" + std::to_string(port_);
}

UpstreamProvider::~UpstreamProvider() {
  stop();
  pool_.stop();
  std::fclose(devnull_);
}

void UpstreamProvider::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
  }
  server_->drain_and_stop(std::chrono::milliseconds(1000));
}

void UpstreamProvider::register_client(const std::string& client_id, const std::string& secret,
                                       const std::string& redirect_uri) {
  std::lock_guard lock(mutex_);
  clients_[client_id] = Client{secret, redirect_uri};
}

void UpstreamProvider::set_user(User user) {
  std::lock_guard lock(mutex_);
  user_ = std::move(user);
}

void UpstreamProvider::set_forgery(Forgery forgery) {
  std::lock_guard lock(mutex_);
  forgery_ = forgery;
}

void UpstreamProvider::set_iss_param(IssParam iss) {
  std::lock_guard lock(mutex_);
  iss_param_ = iss;
}

void UpstreamProvider::set_advertise_iss(bool advertise) {
  std::lock_guard lock(mutex_);
  advertise_iss_ = advertise;
}

void UpstreamProvider::set_authorize_error(std::optional<std::string> error) {
  std::lock_guard lock(mutex_);
  authorize_error_ = std::move(error);
}

void UpstreamProvider::set_client_auth(const std::string& method) {
  std::lock_guard lock(mutex_);
  client_auth_ = method;
}

void UpstreamProvider::set_token_failure(int status, std::string error) {
  std::lock_guard lock(mutex_);
  token_failure_status_ = status;
  token_failure_error_ = std::move(error);
}

void UpstreamProvider::set_userinfo_sub(std::optional<std::string> sub) {
  std::lock_guard lock(mutex_);
  userinfo_sub_ = std::move(sub);
}

void UpstreamProvider::rotate_key() {
  auto next = std::make_unique<jose::PrivateKey>(jose::PrivateKey::generate(jose::Alg::RS256));
  std::lock_guard lock(mutex_);
  key_ = std::move(next);
  kid_ = "upstream-key-" + std::to_string(++generation_);
}

std::string UpstreamProvider::last_refusal() const {
  std::lock_guard lock(mutex_);
  return last_refusal_;
}

std::map<std::string, std::string> UpstreamProvider::last_authorize_query() const {
  std::lock_guard lock(mutex_);
  return last_authorize_query_;
}

json UpstreamProvider::discovery() const {
  std::lock_guard lock(mutex_);
  return {{"issuer", base_},
          {"authorization_endpoint", base_ + "/authorize"},
          {"token_endpoint", base_ + "/token"},
          {"userinfo_endpoint", base_ + "/userinfo"},
          {"jwks_uri", base_ + "/jwks"},
          {"response_types_supported", {"code"}},
          {"subject_types_supported", {"public"}},
          {"id_token_signing_alg_values_supported", {"RS256"}},
          {"token_endpoint_auth_methods_supported", {client_auth_}},
          {"code_challenge_methods_supported", {"S256"}},
          {"scopes_supported", {"openid", "email", "profile"}},
          {"authorization_response_iss_parameter_supported", advertise_iss_}};
}

http::HttpResponse UpstreamProvider::refuse(int status, const std::string& error,
                                            const std::string& why) {
  {
    std::lock_guard lock(mutex_);
    last_refusal_ = why;
  }
  return http::json_error(status, error, why);
}

http::HttpResponse UpstreamProvider::authorize(const http::HttpRequest& request) {
  std::map<std::string, std::string> q;
  for (const auto& p : request.query.items()) q[p.name] = p.value;
  std::unique_lock lock(mutex_);
  last_authorize_query_ = q;
  const auto client = clients_.find(q["client_id"]);
  const bool redirect_ok =
      client != clients_.end() && q["redirect_uri"] == client->second.redirect_uri;
  lock.unlock();
  // RFC 6749 §4.1.2.1: an unverified client or redirect URI gets no redirect.
  if (!redirect_ok) return refuse(400, "invalid_request", "unknown client_id or redirect_uri");
  std::vector<std::pair<std::string, std::string>> response;
  std::string why;
  if (q["response_type"] != "code") why = "response_type is not code";
  if (q["code_challenge_method"] != "S256" || q["code_challenge"].size() != 43) {
    why = "no S256 code_challenge";
  }
  if (q["state"].empty() || q["nonce"].empty()) why = "no state or nonce";
  if (q["scope"].find("openid") == std::string::npos) why = "no openid scope";
  lock.lock();
  if (!why.empty()) {
    last_refusal_ = why;
    response.emplace_back("error", "invalid_request");
  } else if (authorize_error_) {
    response.emplace_back("error", *authorize_error_);
  } else {
    const std::string code = random_token();
    codes_[code] = Code{q["client_id"], q["redirect_uri"], q["code_challenge"], q["nonce"]};
    response.emplace_back("code", code);
  }
  response.emplace_back("state", q["state"]);
  if (iss_param_ == IssParam::Correct) response.emplace_back("iss", base_);
  if (iss_param_ == IssParam::Wrong) response.emplace_back("iss", "https://mix-up.example");
  lock.unlock();
  return redirect(q["redirect_uri"] + "?" + query_of(response));
}

std::optional<std::string> UpstreamProvider::authenticated_client(const http::HttpRequest& request,
                                                                  const http::FormParams& form,
                                                                  std::string& why) const {
  std::string id;
  std::string secret;
  const auto header = request.headers.get("Authorization");
  if (client_auth_ == "client_secret_basic") {
    const auto credentials = header ? basic_credentials(*header) : std::nullopt;
    if (!credentials || form.contains("client_secret")) {
      why = "client_secret_basic expected";
      return std::nullopt;
    }
    std::tie(id, secret) = *credentials;
  } else {
    if (header || !form.get("client_id") || !form.get("client_secret")) {
      why = "client_secret_post expected";
      return std::nullopt;
    }
    id = std::string(*form.get("client_id"));
    secret = std::string(*form.get("client_secret"));
  }
  const auto client = clients_.find(id);
  if (client == clients_.end() || client->second.secret != secret) {
    why = "wrong client credentials";
    return std::nullopt;
  }
  return id;
}

http::HttpResponse UpstreamProvider::token(const http::HttpRequest& request) {
  ++token_requests_;
  auto form = http::parse_form_urlencoded(request.body);
  if (!form.ok()) return refuse(400, "invalid_request", "the body is not a form");
  std::unique_lock lock(mutex_);
  if (token_failure_status_ != 0) {
    const int status = token_failure_status_;
    const std::string error = token_failure_error_;
    lock.unlock();
    return refuse(status, error, "told to fail");
  }
  std::string why;
  const auto client_id = authenticated_client(request, *form, why);
  if (!client_id) {
    lock.unlock();
    return refuse(401, "invalid_client", why);
  }
  if (form->get("grant_type") != "authorization_code") {
    lock.unlock();
    return refuse(400, "unsupported_grant_type", "grant_type is not authorization_code");
  }
  const auto found = codes_.find(std::string(form->get("code").value_or("")));
  if (found == codes_.end()) {
    lock.unlock();
    return refuse(400, "invalid_grant", "unknown or used code");
  }
  const Code code = found->second;
  codes_.erase(found);  // single use, even when what follows refuses it
  if (code.client_id != *client_id || form->get("redirect_uri") != code.redirect_uri) {
    lock.unlock();
    return refuse(400, "invalid_grant", "the code was issued to another client or redirect_uri");
  }
  // RFC 7636 §4.6.
  const auto verifier = form->get("code_verifier");
  if (!verifier || base64url_encode(sha256(*verifier)) != code.code_challenge) {
    lock.unlock();
    return refuse(400, "invalid_grant", "code_verifier does not match the code_challenge");
  }
  const std::string access_token = random_token();
  access_tokens_[access_token] = user_.sub;
  lock.unlock();
  return http::HttpResponse::json(200, {{"access_token", access_token},
                                        {"token_type", "Bearer"},
                                        {"expires_in", 3600},
                                        {"id_token", id_token(code)}});
}

std::string UpstreamProvider::id_token(const Code& code) const {
  std::lock_guard lock(mutex_);
  const long long now = unix_seconds(std::chrono::system_clock::now());
  json claims = {{"iss", base_}, {"sub", user_.sub}, {"aud", code.client_id},
                 {"iat", now},   {"exp", now + 600}, {"nonce", code.nonce}};
  if (user_.authenticated_ago) claims["auth_time"] = now - user_.authenticated_ago->count();
  if (user_.email && user_.email_in_id_token) {
    claims["email"] = *user_.email;
    claims["email_verified"] = user_.email_verified;
  }
  if (user_.given_name) claims["given_name"] = *user_.given_name;
  if (user_.family_name) claims["family_name"] = *user_.family_name;
  if (user_.preferred_username) claims["preferred_username"] = *user_.preferred_username;
  switch (forgery_) {
    case Forgery::WrongIssuer:
      claims["iss"] = "https://evil.example";
      break;
    case Forgery::WrongAudience:
      claims["aud"] = "another-client";
      break;
    case Forgery::AzpMismatch:
      claims["azp"] = "another-client";
      break;
    case Forgery::SeveralAudiencesWithoutAzp:
      claims["aud"] = json::array({code.client_id, "another-client"});
      break;
    case Forgery::WrongNonce:
      claims["nonce"] = "a-nonce-from-another-flow";
      break;
    case Forgery::NoNonce:
      claims.erase("nonce");
      break;
    case Forgery::Expired:
      claims["iat"] = now - 7200;
      claims["exp"] = now - 3600;
      break;
    case Forgery::IatInFuture:
      claims["iat"] = now + 3600;
      claims["exp"] = now + 7200;
      break;
    case Forgery::NoSub:
      claims.erase("sub");
      break;
    default:
      break;
  }
  const jose::JwtHeaderParams header{kid_, "JWT"};
  switch (forgery_) {
    case Forgery::ForeignKey: {
      const auto foreign = jose::PrivateKey::generate(jose::Alg::RS256);
      return jose::sign_jwt(header, claims, foreign, jose::Alg::RS256);
    }
    case Forgery::UnknownKid: {
      const auto foreign = jose::PrivateKey::generate(jose::Alg::RS256);
      return jose::sign_jwt({"nobody-knows-this-kid", "JWT"}, claims, foreign, jose::Alg::RS256);
    }
    case Forgery::AlgNone:
      return base64url_encode(json{{"alg", "none"}, {"kid", kid_}}.dump()) + "." +
             base64url_encode(claims.dump()) + ".";
    case Forgery::Hs256: {
      const std::string input = base64url_encode(json{{"alg", "HS256"}, {"kid", kid_}}.dump()) +
                                "." + base64url_encode(claims.dump());
      return input + "." + base64url_encode(hmac_sha256(public_pem(*key_), input));
    }
    default:
      return jose::sign_jwt(header, claims, *key_, jose::Alg::RS256);
  }
}

http::HttpResponse UpstreamProvider::userinfo(const http::HttpRequest& request) {
  ++userinfo_requests_;
  const auto header = request.headers.get("Authorization");
  std::lock_guard lock(mutex_);
  const auto found = header && header->starts_with("Bearer ")
                         ? access_tokens_.find(std::string(header->substr(7)))
                         : access_tokens_.end();
  if (found == access_tokens_.end()) {
    http::HttpResponse r;
    r.status = 401;
    r.headers.set("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    return r;
  }
  json body = {{"sub", userinfo_sub_.value_or(found->second)}};
  if (user_.email) {
    body["email"] = *user_.email;
    body["email_verified"] = user_.email_verified;
  }
  if (user_.given_name) body["given_name"] = *user_.given_name;
  if (user_.family_name) body["family_name"] = *user_.family_name;
  return http::HttpResponse::json(200, body);
}

}  // namespace keyward::test
