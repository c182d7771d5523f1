#pragma once
// A real upstream OpenID provider on a loopback port, for Keyward's federation tests
// ("Sign in with Google" without Google): discovery, a JWKS, /authorize (which approves at
// once, as if the user had signed in and consented upstream), /token (which checks the
// client's credentials, the code and the PKCE verifier, and issues an ID token signed with
// its own key), and /userinfo. Built on our own http/ layer and driven over real HTTP; the
// knobs below make it misbehave the ways a hostile or broken upstream would.
//
//   UpstreamProvider upstream;                      // listening on 127.0.0.1:<ephemeral>
//   upstream.register_client("kw", "secret", "http://127.0.0.1:PORT/federation/callback");
//   upstream.set_user({.sub = "u-1", .email = "alice@example.com"});
//   upstream.set_forgery(UpstreamProvider::Forgery::WrongNonce);
//
// Thread-safe: the knobs may be turned while Keyward talks to it.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "http/pistache_adapter.h"
#include "http/service.h"
#include "http/worker_pool.h"
#include "jose/evp_key.h"

namespace keyward::test {

class UpstreamProvider {
 public:
  // Who signs in upstream: what the ID token (and userinfo) say.
  struct User {
    std::string sub = "upstream-user-1";
    std::optional<std::string> email = "alice@example.com";
    bool email_verified = true;
    std::optional<std::string> given_name = "Alice";
    std::optional<std::string> family_name = "Liddell";
    std::optional<std::string> preferred_username;
    // false: the e-mail is only in userinfo (as some providers do without the email scope).
    bool email_in_id_token = true;
    // How long ago the user signed in upstream: the ID token's auth_time (none when nullopt).
    std::optional<std::chrono::seconds> authenticated_ago = std::chrono::seconds(0);
  };

  // How /token's ID token is wrong; None for a correct one.
  enum class Forgery {
    None,
    ForeignKey,     // signed by a key that is not published, under a published kid
    UnknownKid,     // signed by an unpublished key with a kid nobody knows
    WrongIssuer,    // iss names another issuer
    WrongAudience,  // aud names another client
    AzpMismatch,    // aud is the client, azp another
    SeveralAudiencesWithoutAzp,
    WrongNonce,
    NoNonce,
    Expired,      // exp an hour ago
    IatInFuture,  // iat an hour ahead
    AlgNone,      // unsigned, alg "none"
    Hs256,        // HMAC-"signed" with the published public key's PEM as the secret
    NoSub,
  };

  // The authorization response's iss parameter (RFC 9207).
  enum class IssParam { Correct, Omitted, Wrong };

  // Starts listening at once on 127.0.0.1, port 0 (an ephemeral one). Throws when it
  // cannot bind.
  UpstreamProvider();
  ~UpstreamProvider();
  UpstreamProvider(const UpstreamProvider&) = delete;
  UpstreamProvider& operator=(const UpstreamProvider&) = delete;

  // http://127.0.0.1:PORT: the issuer identifier, and the base of every endpoint.
  [[nodiscard]] std::string issuer() const { return base_; }
  [[nodiscard]] uint16_t port() const { return port_; }

  // A client that may use the code flow: its secret and its one redirect URI.
  void register_client(const std::string& client_id, const std::string& secret,
                       const std::string& redirect_uri);
  void set_user(User user);
  void set_forgery(Forgery forgery);
  void set_iss_param(IssParam iss);
  // Whether discovery says authorization_response_iss_parameter_supported (default true).
  void set_advertise_iss(bool advertise);
  // /authorize answers with this error (e.g. "access_denied") instead of a code; nullopt
  // (the default) approves.
  void set_authorize_error(std::optional<std::string> error);
  // "client_secret_basic" (the default) or "client_secret_post": the only one discovery
  // lists and /token accepts.
  void set_client_auth(const std::string& method);
  // /token answers this status with {"error": error} instead of tokens; 0 (the default)
  // answers normally.
  void set_token_failure(int status, std::string error = "invalid_grant");
  // /userinfo says this sub instead of the user's (OIDC Core §5.3.2's substitution case).
  void set_userinfo_sub(std::optional<std::string> sub);
  // A new signing key with a new kid replaces the published one (key rotation upstream).
  void rotate_key();
  // Stops answering: connections are refused from now on.
  void stop();

  // Requests seen, per endpoint.
  [[nodiscard]] int discovery_requests() const { return discovery_requests_; }
  [[nodiscard]] int jwks_requests() const { return jwks_requests_; }
  [[nodiscard]] int token_requests() const { return token_requests_; }
  [[nodiscard]] int userinfo_requests() const { return userinfo_requests_; }
  // Why /token or /authorize last refused ("" when nothing was refused), e.g.
  // "code_verifier does not match the code_challenge".
  [[nodiscard]] std::string last_refusal() const;
  // The query of the last /authorize request (decoded pairs), for tests that check what
  // Keyward asked for.
  [[nodiscard]] std::map<std::string, std::string> last_authorize_query() const;

 private:
  struct Code {
    std::string client_id;
    std::string redirect_uri;
    std::string code_challenge;
    std::string nonce;
  };
  struct Client {
    std::string secret;
    std::string redirect_uri;
  };

  http::HttpResponse authorize(const http::HttpRequest& request);
  http::HttpResponse token(const http::HttpRequest& request);
  http::HttpResponse userinfo(const http::HttpRequest& request);
  http::HttpResponse refuse(int status, const std::string& error, const std::string& why);
  // The client the request authenticates as (per the configured method), or why not.
  std::optional<std::string> authenticated_client(const http::HttpRequest& request,
                                                  const http::FormParams& form,
                                                  std::string& why) const;
  std::string id_token(const Code& code) const;
  nlohmann::json discovery() const;

  std::FILE* devnull_;
  Logger logger_;
  http::HttpService service_;
  http::WorkerPool pool_;
  std::unique_ptr<http::HttpServer> server_;
  std::string base_;
  uint16_t port_ = 0;

  mutable std::mutex mutex_;
  std::map<std::string, Client> clients_;
  std::map<std::string, Code> codes_;                 // single use: erased when redeemed
  std::map<std::string, std::string> access_tokens_;  // token → sub
  User user_;
  Forgery forgery_ = Forgery::None;
  IssParam iss_param_ = IssParam::Correct;
  bool advertise_iss_ = true;
  std::optional<std::string> authorize_error_;
  std::string client_auth_ = "client_secret_basic";
  int token_failure_status_ = 0;
  std::string token_failure_error_;
  std::optional<std::string> userinfo_sub_;
  std::unique_ptr<jose::PrivateKey> key_;
  std::string kid_;
  int generation_ = 1;
  std::string last_refusal_;
  std::map<std::string, std::string> last_authorize_query_;
  bool stopped_ = false;

  std::atomic<int> discovery_requests_{0};
  std::atomic<int> jwks_requests_{0};
  std::atomic<int> token_requests_{0};
  std::atomic<int> userinfo_requests_{0};
};

}  // namespace keyward::test
