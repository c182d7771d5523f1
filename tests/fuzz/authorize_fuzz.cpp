// The authorization request as /authorize validates it: the fuzzed input is parsed as the
// endpoint parses a query string (http/form.h) and run through every stage of
// validate_authorization_request (grants/authorize_stages.h) against a fixed set of
// clients; the pure checks the stages are built from — the scope grammar (grants/scope.h),
// the redirect_uri rules with uriparser underneath (grants/redirect_uri.h) and PKCE
// (grants/pkce.h) — also get each parameter and the raw input as one value.
// Invariants: an accepted request names a registered client, one of its redirect URIs
// exactly, a subset of its scopes, a VSCHAR state, and PKCE for a public client; an error
// is sent back only to a redirect URI registered for the client named, and echoes only a
// VSCHAR state; a scope that parses formats back to itself; a redirect_uri is registered
// when it is on the list exactly and never by prefix; a valid S256 challenge is 43
// base64url characters of 32 bytes; a valid verifier verifies against its own challenge.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <algorithm>

#include "common/base64url.h"
#include "common/text.h"
#include "grants/authorize_stages.h"
#include "grants/pkce.h"
#include "grants/redirect_uri.h"
#include "grants/scope.h"
#include "http/form.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/support/fixed_clients.h"

using namespace keyward;
using namespace keyward::grants;

namespace {

void check_scope(std::string_view text) {
  const auto scope = parse_scope(text);
  if (!scope) return;
  FUZZ_CHECK(!scope->empty() || text.empty());
  const std::string formatted = format_scope(*scope);
  const auto again = parse_scope(formatted);
  FUZZ_CHECK(again && *again == *scope);
  FUZZ_CHECK(is_subset(*scope, *scope));
  FUZZ_CHECK(is_subset({}, *scope));
  ScopeSet fewer = *scope;
  if (!fewer.empty()) {
    fewer.erase(fewer.begin());
    FUZZ_CHECK(is_subset(fewer, *scope) && !is_subset(*scope, fewer));
  }
  for (const auto& token : *scope) {
    FUZZ_CHECK(!token.empty());
    for (const char c : token) {
      const auto u = static_cast<unsigned char>(c);
      FUZZ_CHECK(u == 0x21 || (u >= 0x23 && u <= 0x5B) || (u >= 0x5D && u <= 0x7E));
    }
  }
}

void check_redirect_uri(const std::string& uri) {
  (void)redirect_uri_problem(uri);
  FUZZ_CHECK(redirect_uri_registered(uri, {uri}));
  FUZZ_CHECK(!redirect_uri_registered(uri, {}));
  FUZZ_CHECK(!redirect_uri_registered(uri, {uri + "/"}));
  if (!uri.empty()) FUZZ_CHECK(!redirect_uri_registered(uri, {uri.substr(0, uri.size() - 1)}));
}

void check_pkce(const std::string& value) {
  if (is_valid_s256_challenge(value)) {
    FUZZ_CHECK(value.size() == 43);
    const auto digest = base64url_decode(value);
    FUZZ_CHECK(digest && digest->size() == 32);
  }
  if (is_valid_code_verifier(value)) {
    FUZZ_CHECK(value.size() >= 43 && value.size() <= 128);
    const std::string challenge = pkce_s256_challenge(value);
    FUZZ_CHECK(is_valid_s256_challenge(challenge));
    FUZZ_CHECK(pkce_verify(value, challenge));
    FUZZ_CHECK(!pkce_verify(value + "A", challenge));
  }
}

const std::vector<Client>& registered_clients() {
  static const std::vector<Client> clients = [] {
    Client web;
    web.id = "web";
    web.token_endpoint_auth_method = "client_secret_basic";
    web.grant_types = {"authorization_code", "refresh_token"};
    web.scopes = {"openid", "profile", "email"};
    web.redirect_uris = {"https://app.example/cb", "https://app.example/cb?x=1"};
    Client spa;
    spa.id = "spa";
    spa.confidential = false;
    spa.token_endpoint_auth_method = "none";
    spa.grant_types = {"authorization_code"};
    spa.scopes = {"openid"};
    spa.redirect_uris = {"http://127.0.0.1:8080/cb"};
    Client service;
    service.id = "svc";
    service.grant_types = {"client_credentials"};
    service.scopes = {"read"};
    service.redirect_uris = {"https://svc.example/cb"};
    return std::vector<Client>{web, spa, service};
  }();
  return clients;
}

const Client* registered(std::string_view id) {
  for (const auto& c : registered_clients()) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

bool listed(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

void check_validation(const RawParams& raw) {
  static grants::test::FixedClients clients = [] {
    grants::test::FixedClients c;
    for (const auto& client : registered_clients()) c.add(client);
    return c;
  }();
  std::optional<std::string> client_id;
  for (const auto& [name, value] : raw) {
    if (name == "client_id") client_id = value;
  }
  const auto result = validate_authorization_request(raw, clients);
  if (result.ok()) {
    const Client* client = registered(result->client.id);
    FUZZ_CHECK(client != nullptr && client_id == client->id);
    FUZZ_CHECK(listed(client->redirect_uris, result->redirect_uri));
    for (const auto& s : result->scope) FUZZ_CHECK(listed(client->scopes, s));
    FUZZ_CHECK(!result->state || is_vschar(*result->state));
    FUZZ_CHECK(client->confidential || result->code_challenge.has_value());
    return;
  }
  const AuthorizeError& error = result.error();
  if (!error.redirects()) return;
  FUZZ_CHECK(client_id.has_value());
  const Client* client = registered(*client_id);
  FUZZ_CHECK(client != nullptr && listed(client->redirect_uris, *error.redirect_uri));
  FUZZ_CHECK(!error.state || is_vschar(*error.state));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  check_scope(input);
  check_redirect_uri(input);
  check_pkce(input);

  auto params = http::parse_form_urlencoded(input);
  if (!params.ok()) return 0;
  RawParams raw;
  for (const auto& p : params->items()) raw.emplace_back(p.name, p.value);
  check_validation(raw);
  for (const auto& p : params->items()) {
    if (p.name == "scope" || p.name == "prompt") {
      check_scope(p.value);
    } else if (p.name == "redirect_uri") {
      check_redirect_uri(p.value);
    } else if (p.name == "code_challenge" || p.name == "code_verifier") {
      check_pkce(p.value);
    }
  }
  return 0;
}
