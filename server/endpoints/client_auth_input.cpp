#include "server/endpoints/client_auth_input.h"

#include <openssl/evp.h>

#include <algorithm>
#include <string>

namespace keyward::server {

namespace {

using grants::ClientAuthInput;
using grants::OAuthError;

OAuthError malformed_basic(std::string log) {
  // RFC 6749 §5.2: invalid_client, and since the client tried the Authorization header,
  // the endpoint answers 401 with WWW-Authenticate: Basic.
  auto e = OAuthError::invalid_client("malformed HTTP Basic credentials", std::move(log));
  e.basic_auth_used = true;
  return e;
}

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

// RFC 7617 §2 / RFC 4648 §4: standard base64 with padding. Checked strictly here (OpenSSL's
// EVP_DecodeBlock skips surrounding whitespace and keeps the padding's zero bytes),
// decoded by OpenSSL.
std::optional<std::string> decode_base64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  size_t padding = 0;
  if (text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  for (size_t i = 0; i < text.size() - padding; ++i) {
    if (!is_base64_char(text[i])) return std::nullopt;
  }
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0 || static_cast<size_t>(n) != out.size()) return std::nullopt;
  out.resize(out.size() - padding);
  return out;
}

bool is_token_char(char c) {
  // RFC 9110 §5.6.2 tchar.
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

grants::OAuthResult<ClientAuthInput> parse_basic(std::string_view header) {
  // RFC 9110 §11.4: credentials = auth-scheme [ 1*SP token68 ]; the scheme is
  // case-insensitive.
  const size_t space = header.find(' ');
  const std::string_view scheme = header.substr(0, space);
  if (scheme.empty() || !std::all_of(scheme.begin(), scheme.end(), is_token_char)) {
    return err(malformed_basic("Authorization header without a scheme"));
  }
  if (!iequals(scheme, "Basic")) {
    return err(malformed_basic("Authorization scheme is not Basic"));
  }
  if (space == std::string_view::npos) return err(malformed_basic("Basic without credentials"));
  std::string_view token = header.substr(space + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
  auto decoded = decode_base64(token);
  if (!decoded) return err(malformed_basic("Basic credentials are not base64"));
  // RFC 7617 §2: user-id ":" password; the id cannot contain ':' (RFC 6749 §2.3.1 encodes
  // one as %3A), the secret can.
  const size_t colon = decoded->find(':');
  if (colon == std::string::npos) return err(malformed_basic("Basic credentials without ':'"));
  // RFC 6749 §2.3.1: both are application/x-www-form-urlencoded before base64, so '+'
  // is a space and "%2B" a '+'.
  auto id = http::percent_decode(std::string_view(*decoded).substr(0, colon), true);
  auto secret = http::percent_decode(std::string_view(*decoded).substr(colon + 1), true);
  if (!id.ok() || !secret.ok()) {
    return err(malformed_basic("Basic credentials are not form-urlencoded"));
  }
  if (id->empty()) return err(malformed_basic("Basic credentials with an empty client id"));
  ClientAuthInput input;
  input.method = ClientAuthInput::Method::Basic;
  input.client_id = std::move(id).value();
  input.secret = std::move(secret).value();
  return input;
}

}  // namespace

grants::OAuthResult<ClientAuthInput> client_auth_input(const http::HttpRequest& request,
                                                       const http::FormParams& body) {
  // RFC 6749 §3.2: parameters MUST NOT be included more than once.
  if (body.count("client_id") > 1) {
    return err(OAuthError::invalid_request("client_id is repeated"));
  }
  if (body.count("client_secret") > 1) {
    return err(OAuthError::invalid_request("client_secret is repeated"));
  }
  const auto body_id = body.get("client_id");
  const auto body_secret = body.get("client_secret");

  const auto authorization = request.headers.get_all("Authorization");
  if (authorization.size() > 1) {
    return err(OAuthError::invalid_request("more than one Authorization header"));
  }
  if (authorization.size() == 1) {
    // RFC 6749 §2.3: one authentication method per request.
    if (body_secret) {
      return err(OAuthError::invalid_request(
          "the client authenticated twice (HTTP Basic and client_secret): use one method"));
    }
    auto input = parse_basic(authorization[0]);
    if (!input.ok()) return input;
    // A client_id in the body next to Basic is harmless when it names the same client
    // (some libraries always send it); a different one is a contradiction.
    if (body_id && *body_id != input->client_id) {
      return err(OAuthError::invalid_request(
          "client_id in the body differs from the one in the Authorization header"));
    }
    return input;
  }

  if (body_secret) {
    if (!body_id) return err(OAuthError::invalid_request("client_secret without client_id"));
    ClientAuthInput input;
    input.method = ClientAuthInput::Method::Post;
    input.client_id = std::string(*body_id);
    input.secret = std::string(*body_secret);
    return input;
  }
  if (body_id) {
    // A public client identifies itself (RFC 6749 §2.3, §3.2.1).
    ClientAuthInput input;
    input.client_id = std::string(*body_id);
    return input;
  }
  return err(OAuthError::invalid_client(
      "no client authentication: use HTTP Basic, or client_id (and client_secret) in the "
      "body"));
}

}  // namespace keyward::server
