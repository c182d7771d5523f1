#pragma once
// Client authentication at the token, introspection and revocation endpoints
// (RFC 6749 §2.3, RFC 7662 §2.1, RFC 7009 §2.1).
#include <optional>
#include <string>

#include "audit/event.h"
#include "grants/client.h"
#include "grants/client_cache.h"
#include "grants/grant_handler.h"
#include "grants/oauth_error.h"

namespace keyward::grants {

// What the request presented, already decoded (server/endpoints/client_auth_input.h).
struct ClientAuthInput {
  // None: client_id alone (a public client); Basic: RFC 6749 §2.3.1 Authorization header;
  // Post: client_id and client_secret in the form body.
  enum class Method { None, Basic, Post } method = Method::None;
  std::string client_id;
  std::optional<std::string> secret;  // set for Basic and Post
};

class ClientAuthenticator {
 public:
  // `secret_key` is client_secret_key(master_key) (client_secret.h). The cache must
  // outlive the authenticator, and so must `events`.
  ClientAuthenticator(ClientCache& clients, std::string secret_key, audit::EventSink& events);

  // RFC 6749 §2.3: confidential clients must authenticate with their registered method;
  // public clients identify with client_id alone. invalid_client otherwise (with
  // basic_auth_used set when Basic was used, so the endpoint adds WWW-Authenticate:
  // Basic); the same description and the same work (one HMAC) for an unknown client as
  // for a wrong secret. A storage failure is server_error / temporarily_unavailable.
  // Every invalid_client is reported as client_auth_failed (with the claimed client id
  // only when such a client exists, and `endpoint`, the route it was presented at).
  [[nodiscard]] OAuthResult<Client> authenticate(const ClientAuthInput& input,
                                                 const RequestMeta& meta = {},
                                                 std::string_view endpoint = {});

 private:
  void report_failure(const ClientAuthInput& input, bool known, std::string_view reason,
                      const RequestMeta& meta, std::string_view endpoint) const;

  ClientCache& clients_;
  const std::string secret_key_;
  audit::EventSink& events_;
};

}  // namespace keyward::grants
