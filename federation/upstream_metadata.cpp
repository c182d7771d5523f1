#include "federation/upstream_metadata.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "federation/upstream_url.h"
#include "jose/alg.h"

namespace keyward::federation {
namespace {

using nlohmann::json;

// A member that must be a string when present; nullopt when absent, an error when present
// with another type.
Result<std::optional<std::string>, std::string> optional_string(const json& doc, const char* name) {
  const auto it = doc.find(name);
  if (it == doc.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return err(std::string(name) + " is not a string");
  return std::optional<std::string>(it->get<std::string>());
}

// A member that must be an array of strings when present; nullopt when absent.
Result<std::optional<std::vector<std::string>>, std::string> optional_strings(const json& doc,
                                                                              const char* name) {
  const auto it = doc.find(name);
  if (it == doc.end() || it->is_null()) return std::optional<std::vector<std::string>>();
  if (!it->is_array() ||
      !std::all_of(it->begin(), it->end(), [](const json& v) { return v.is_string(); })) {
    return err(std::string(name) + " is not an array of strings");
  }
  return std::optional<std::vector<std::string>>(it->get<std::vector<std::string>>());
}

bool contains(const std::vector<std::string>& values, std::string_view value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

Result<std::string, std::string> required_endpoint(const json& doc, const char* name,
                                                   std::string_view issuer) {
  auto value = optional_string(doc, name);
  if (!value.ok()) return err(std::move(value).error());
  if (!value->has_value()) return err(std::string(name) + " is missing");
  if (auto problem = endpoint_problem(name, **value, issuer)) return err(std::move(*problem));
  return std::move(**value);
}

Result<UpstreamMetadata, std::string> check(const json& doc, std::string_view issuer) {
  if (!doc.is_object()) return err(std::string("it is not a JSON object"));
  UpstreamMetadata m;
  auto named = optional_string(doc, "issuer");
  if (!named.ok()) return err(std::move(named).error());
  // OIDC Discovery 1.0 §4.3: identical, character for character.
  if (!named->has_value() || **named != issuer) {
    return err("it names the issuer " + named->value_or("(none)") + ", not " + std::string(issuer));
  }
  m.issuer = std::string(issuer);
  for (auto [field, name] :
       {std::pair{&m.authorization_endpoint, "authorization_endpoint"},
        std::pair{&m.token_endpoint, "token_endpoint"}, std::pair{&m.jwks_uri, "jwks_uri"}}) {
    auto url = required_endpoint(doc, name, issuer);
    if (!url.ok()) return err(std::move(url).error());
    *field = std::move(url).value();
  }
  auto userinfo = optional_string(doc, "userinfo_endpoint");
  if (!userinfo.ok()) return err(std::move(userinfo).error());
  if (userinfo->has_value()) {
    if (auto problem = endpoint_problem("userinfo_endpoint", **userinfo, issuer)) {
      return err(std::move(*problem));
    }
    m.userinfo_endpoint = std::move(*userinfo);
  }

  auto response_types = optional_strings(doc, "response_types_supported");
  if (!response_types.ok()) return err(std::move(response_types).error());
  // Required by OIDC Discovery 1.0 §3; we use the code flow only.
  if (!response_types->has_value() || !contains(**response_types, "code")) {
    return err(std::string("response_types_supported does not list \"code\""));
  }
  auto challenge_methods = optional_strings(doc, "code_challenge_methods_supported");
  if (!challenge_methods.ok()) return err(std::move(challenge_methods).error());
  // RFC 8414 §2: absent means "not advertised", which many providers that do support PKCE
  // leave out; we send S256 regardless. Listed without S256, PKCE would not protect us.
  if (challenge_methods->has_value() && !contains(**challenge_methods, "S256")) {
    return err(std::string("code_challenge_methods_supported does not list S256"));
  }
  auto auth_methods = optional_strings(doc, "token_endpoint_auth_methods_supported");
  if (!auth_methods.ok()) return err(std::move(auth_methods).error());
  if (auth_methods->has_value() && !contains(**auth_methods, "client_secret_basic")) {
    if (!contains(**auth_methods, "client_secret_post")) {
      return err(
          std::string("token_endpoint_auth_methods_supported lists neither client_secret_basic nor "
                      "client_secret_post"));
    }
    m.client_auth = ClientAuthMethod::ClientSecretPost;
  }
  auto algs = optional_strings(doc, "id_token_signing_alg_values_supported");
  if (!algs.ok()) return err(std::move(algs).error());
  if (algs->has_value()) {
    m.id_token_signing_algs = std::move(**algs);
    // We verify RS256, ES256 and EdDSA only (never none or HS*: RFC 8725 §3.1).
    if (std::none_of(m.id_token_signing_algs.begin(), m.id_token_signing_algs.end(),
                     [](const std::string& a) { return jose::parse_alg(a).has_value(); })) {
      return err(
          std::string("id_token_signing_alg_values_supported lists none of RS256, ES256, EdDSA"));
    }
  }
  const auto iss_supported = doc.find("authorization_response_iss_parameter_supported");
  if (iss_supported != doc.end() && !iss_supported->is_null()) {
    if (!iss_supported->is_boolean()) {
      return err(std::string("authorization_response_iss_parameter_supported is not a boolean"));
    }
    m.iss_parameter_supported = iss_supported->get<bool>();
  }
  return m;
}

}  // namespace

std::string discovery_url(std::string_view issuer) {
  while (!issuer.empty() && issuer.back() == '/') issuer.remove_suffix(1);
  return std::string(issuer) + "/.well-known/openid-configuration";
}

Result<UpstreamMetadata, std::string> parse_upstream_metadata(std::string_view document,
                                                              std::string_view issuer) {
  const json doc = json::parse(document, nullptr, false);
  if (doc.is_discarded()) return err(std::string("the discovery document is not JSON"));
  auto checked = check(doc, issuer);
  if (!checked.ok()) return err("the discovery document is unusable: " + checked.error());
  return checked;
}

Result<UpstreamMetadata, DiscoveryError> fetch_upstream_metadata(rs::HttpFetcher& fetcher,
                                                                 std::string_view issuer) {
  const std::string url = discovery_url(issuer);
  auto response = fetcher.get(url);
  if (!response.ok()) return err(DiscoveryError{true, response.error()});
  if (response->status != 200) {
    return err(DiscoveryError{response->status >= 500,
                              "GET " + url + " answered HTTP " + std::to_string(response->status)});
  }
  auto metadata = parse_upstream_metadata(response->body, issuer);
  if (!metadata.ok()) return err(DiscoveryError{false, url + ": " + metadata.error()});
  return std::move(metadata).value();
}

}  // namespace keyward::federation
