#pragma once
// Every grant_type, parameter, response type, token type and claim name the
// authorization, token, introspection, revocation and logout logic puts on or reads off
// the wire, in one place (STYLE.md §7.4), so a typo is a compile error rather than a
// silent mismatch.
#include <string_view>

namespace keyward::grants::wire {

// Grant types (RFC 6749 §4.1.3, §4.3.2, §4.4.2, §6).
inline constexpr std::string_view kAuthorizationCode = "authorization_code";
inline constexpr std::string_view kClientCredentials = "client_credentials";
inline constexpr std::string_view kPassword = "password";
inline constexpr std::string_view kRefreshToken = "refresh_token";

// Client authentication methods (RFC 7591 §2 token_endpoint_auth_method).
inline constexpr std::string_view kClientSecretBasic = "client_secret_basic";
inline constexpr std::string_view kClientSecretPost = "client_secret_post";
inline constexpr std::string_view kAuthMethodNone = "none";

// Request parameters.
inline constexpr std::string_view kGrantType = "grant_type";
inline constexpr std::string_view kScope = "scope";
inline constexpr std::string_view kUsername = "username";
inline constexpr std::string_view kPasswordParam = "password";
inline constexpr std::string_view kRefreshTokenParam = "refresh_token";
inline constexpr std::string_view kToken = "token";  // RFC 7009 §2.1, RFC 7662 §2.1
inline constexpr std::string_view kTokenTypeHint = "token_type_hint";  // idem
// RFC 8707 §2: the one OAuth parameter that may be repeated.
inline constexpr std::string_view kResource = "resource";

// Authorization request parameters (RFC 6749 §4.1.1, RFC 7636 §4.3, OIDC Core §3.1.2.1,
// §6) and the code grant's token request (RFC 6749 §4.1.3, RFC 7636 §4.5); client_id is
// kClientId below.
inline constexpr std::string_view kRedirectUri = "redirect_uri";
inline constexpr std::string_view kResponseType = "response_type";
inline constexpr std::string_view kResponseMode = "response_mode";
inline constexpr std::string_view kState = "state";
inline constexpr std::string_view kNonce = "nonce";
inline constexpr std::string_view kCodeChallenge = "code_challenge";
inline constexpr std::string_view kCodeChallengeMethod = "code_challenge_method";
inline constexpr std::string_view kPrompt = "prompt";
inline constexpr std::string_view kMaxAge = "max_age";
inline constexpr std::string_view kLoginHint = "login_hint";
inline constexpr std::string_view kRequest = "request";
inline constexpr std::string_view kRequestUri = "request_uri";
inline constexpr std::string_view kRegistration = "registration";
inline constexpr std::string_view kCode = "code";  // the parameter and the response_type
inline constexpr std::string_view kCodeVerifier = "code_verifier";

// The one response_mode we answer in (OAuth 2.0 Multiple Response Type Encoding §2.1).
inline constexpr std::string_view kQuery = "query";

// Prompt values (OIDC Core §3.1.2.1).
inline constexpr std::string_view kPromptNone = "none";
inline constexpr std::string_view kPromptLogin = "login";
inline constexpr std::string_view kPromptConsent = "consent";
inline constexpr std::string_view kPromptSelectAccount = "select_account";

// Authorization response parameters (RFC 6749 §4.1.2, §4.1.2.1, RFC 9207 §2): code,
// state and iss are kCode, kState and kIss.
inline constexpr std::string_view kError = "error";
inline constexpr std::string_view kErrorDescription = "error_description";

// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2): client_id and state
// are kClientId and kState.
inline constexpr std::string_view kIdTokenHint = "id_token_hint";
inline constexpr std::string_view kPostLogoutRedirectUri = "post_logout_redirect_uri";

// Token response members (RFC 6749 §5.1).
inline constexpr std::string_view kAccessToken = "access_token";
inline constexpr std::string_view kTokenType = "token_type";
inline constexpr std::string_view kExpiresIn = "expires_in";
inline constexpr std::string_view kIdToken = "id_token";
inline constexpr std::string_view kBearer = "Bearer";  // RFC 6750 §6.1.1

// Introspection members (RFC 7662 §2.2); token_type for refresh tokens is ours.
inline constexpr std::string_view kActive = "active";
inline constexpr std::string_view kRefreshTokenType = "refresh_token";

// JWT access-token claims (RFC 9068 §2.2, RFC 7519 §4.1) and our grant id.
inline constexpr std::string_view kIss = "iss";
inline constexpr std::string_view kSub = "sub";
inline constexpr std::string_view kAud = "aud";
inline constexpr std::string_view kExp = "exp";
inline constexpr std::string_view kIat = "iat";
inline constexpr std::string_view kJti = "jti";
inline constexpr std::string_view kClientId = "client_id";
inline constexpr std::string_view kGid = "gid";       // DESIGN.md "Tokens": the grant's id
inline constexpr std::string_view kAtJwt = "at+jwt";  // RFC 9068 §2.1 typ

// ID token claims (OIDC Core §2; nonce is kNonce) and the standard claims the profile
// and email scopes release (OIDC Core §5.1, §5.4).
inline constexpr std::string_view kAzp = "azp";
inline constexpr std::string_view kAuthTime = "auth_time";
inline constexpr std::string_view kAmr = "amr";  // RFC 8176
inline constexpr std::string_view kAtHash = "at_hash";
inline constexpr std::string_view kJwt = "JWT";  // an ID token's typ
inline constexpr std::string_view kPreferredUsername = "preferred_username";
inline constexpr std::string_view kGivenName = "given_name";
inline constexpr std::string_view kFamilyName = "family_name";
inline constexpr std::string_view kName = "name";
inline constexpr std::string_view kEmail = "email";
inline constexpr std::string_view kEmailVerified = "email_verified";

// Token type hints (RFC 7009 §2.1, RFC 7662 §2.1).
inline constexpr std::string_view kAccessTokenHint = "access_token";
inline constexpr std::string_view kRefreshTokenHint = "refresh_token";

// Authorization server metadata (RFC 8414 §2, OIDC Discovery 1.0 §3, RP-Initiated Logout
// 1.0 §2.1, RFC 9207 §3): the members of the discovery document.
inline constexpr std::string_view kIssuer = "issuer";
inline constexpr std::string_view kAuthorizationEndpoint = "authorization_endpoint";
inline constexpr std::string_view kTokenEndpoint = "token_endpoint";
inline constexpr std::string_view kUserinfoEndpoint = "userinfo_endpoint";
inline constexpr std::string_view kJwksUri = "jwks_uri";
inline constexpr std::string_view kIntrospectionEndpoint = "introspection_endpoint";
inline constexpr std::string_view kRevocationEndpoint = "revocation_endpoint";
inline constexpr std::string_view kEndSessionEndpoint = "end_session_endpoint";
inline constexpr std::string_view kRegistrationEndpoint = "registration_endpoint";  // RFC 8414
inline constexpr std::string_view kScopesSupported = "scopes_supported";
inline constexpr std::string_view kResponseTypesSupported = "response_types_supported";
inline constexpr std::string_view kResponseModesSupported = "response_modes_supported";
inline constexpr std::string_view kGrantTypesSupported = "grant_types_supported";
inline constexpr std::string_view kSubjectTypesSupported = "subject_types_supported";
inline constexpr std::string_view kIdTokenSigningAlgValuesSupported =
    "id_token_signing_alg_values_supported";
inline constexpr std::string_view kTokenEndpointAuthMethodsSupported =
    "token_endpoint_auth_methods_supported";
inline constexpr std::string_view kIntrospectionEndpointAuthMethodsSupported =
    "introspection_endpoint_auth_methods_supported";
inline constexpr std::string_view kRevocationEndpointAuthMethodsSupported =
    "revocation_endpoint_auth_methods_supported";
inline constexpr std::string_view kClaimsSupported = "claims_supported";
inline constexpr std::string_view kCodeChallengeMethodsSupported =
    "code_challenge_methods_supported";
inline constexpr std::string_view kAuthorizationResponseIssParameterSupported =
    "authorization_response_iss_parameter_supported";
inline constexpr std::string_view kClaimsParameterSupported = "claims_parameter_supported";
inline constexpr std::string_view kRequestParameterSupported = "request_parameter_supported";
inline constexpr std::string_view kRequestUriParameterSupported = "request_uri_parameter_supported";
// The one subject type (OIDC Core §8): every client sees the same sub.
inline constexpr std::string_view kPublicSubject = "public";

}  // namespace keyward::grants::wire
