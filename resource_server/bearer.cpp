#include "resource_server/bearer.h"

#include "common/text.h"

namespace keyward::rs {
namespace {

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
bool is_b64token(std::string_view t) {
  size_t i = 0;
  auto is_char = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
  };
  while (i < t.size() && is_char(t[i])) ++i;
  if (i == 0) return false;
  while (i < t.size() && t[i] == '=') ++i;
  return i == t.size();
}

// RFC 6750 §3: realm, error, error_description and scope values are quoted-strings whose
// characters are limited to %x20-21 / %x23-5B / %x5D-7E: no '"', no '\\'.
std::string quoted(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c >= 0x20 && c <= 0x7e && c != '"' && c != '\\') out += c;
  }
  out += '"';
  return out;
}

std::string challenge(std::string_view realm, std::string_view error, std::string_view description,
                      std::string_view scope) {
  std::string out = "Bearer realm=" + quoted(realm);
  if (!error.empty()) out += ", error=" + quoted(error);
  if (!description.empty()) out += ", error_description=" + quoted(description);
  if (!scope.empty()) out += ", scope=" + quoted(scope);
  return out;
}

BearerError make(int status, std::string_view realm, std::string error, std::string description,
                 std::string scope = {}) {
  BearerError e;
  e.status = status;
  e.www_authenticate = challenge(realm, error, description, scope);
  e.error = std::move(error);
  e.description = std::move(description);
  e.scope = std::move(scope);
  return e;
}

}  // namespace

Result<std::optional<std::string_view>, std::string> bearer_token(
    std::span<const std::string_view> authorization, bool access_token_in_query) {
  if (authorization.size() > 1) {
    return err(std::string("the request has more than one Authorization header"));
  }
  std::optional<std::string_view> token;
  if (authorization.size() == 1) {
    std::string_view value = authorization.front();
    const size_t space = value.find(' ');
    const std::string_view scheme = value.substr(0, space);
    // RFC 9110 §11.1: the auth-scheme is case-insensitive. Another scheme means no bearer
    // token was sent.
    if (iequals(scheme, "Bearer")) {
      std::string_view rest =
          space == std::string_view::npos ? std::string_view{} : value.substr(space);
      while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
      while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) rest.remove_suffix(1);
      if (!is_b64token(rest)) {
        return err(std::string("the Authorization header is not \"Bearer\" and one token"));
      }
      token = rest;
    }
  }
  if (access_token_in_query) {
    return err(std::string(token ? "the access token is sent by more than one method"
                                 : "send the access token in the Authorization header, "
                                   "not in the URL"));
  }
  return token;
}

nlohmann::json BearerError::body() const {
  nlohmann::json doc = nlohmann::json::object();
  if (!error.empty()) doc["error"] = error;
  doc["error_description"] = description;
  if (!scope.empty()) doc["scope"] = scope;
  return doc;
}

BearerError missing_token(std::string_view realm) {
  // RFC 6750 §3.1: "If the request lacks any authentication information ..., the resource
  // server SHOULD NOT include an error code or other error information."
  BearerError e = make(401, realm, "", "");
  e.description = "this resource needs a Bearer access token";
  return e;
}

BearerError invalid_request(std::string_view realm, std::string_view description) {
  return make(400, realm, "invalid_request", std::string(description));
}

BearerError invalid_token(std::string_view realm, jose::Status status) {
  return make(401, realm, "invalid_token", std::string(describe(status)));
}

BearerError insufficient_scope(std::string_view realm, std::string_view needed) {
  return make(403, realm, "insufficient_scope",
              "the access token does not grant the scope " + std::string(needed),
              std::string(needed));
}

std::string_view describe(jose::Status status) {
  using S = jose::Status;
  switch (status) {
    case S::JwtBadFormat:
    case S::JwtHeaderBadJson:
    case S::JwtPayloadBadJson:
      return "the access token is malformed";
    case S::JwtAlgNotAllowed:
      return "the access token is signed with an algorithm that is not accepted";
    case S::JwtHeaderForbiddenMember:
      return "the access token names its own key";
    case S::JwtKidMissing:
      return "the access token has no key id";
    case S::JwtKidUnknown:
      return "the access token is signed by an unknown key";
    case S::JwksKeyMismatch:
      return "the access token's key does not fit its algorithm";
    case S::JwtSignatureInvalid:
      return "the access token's signature is invalid";
    case S::JwtClaimBadType:
      return "the access token has a claim of the wrong type";
    case S::JwtMissingClaim:
      return "the access token lacks a required claim";
    case S::JwtIssuerMismatch:
      return "the access token is from another issuer";
    case S::JwtExpired:
      return "the access token expired";
    case S::JwtNotYetValid:
      return "the access token is not valid yet";
    case S::JwtIatInFuture:
      return "the access token is issued in the future";
    case S::JwtAudienceMismatch:
      return "the access token is not meant for this resource server";
    case S::JwtTypMismatch:
      return "the token is not an access token (typ must be at+jwt)";
    default:
      return "the access token is invalid";
  }
}

}  // namespace keyward::rs
