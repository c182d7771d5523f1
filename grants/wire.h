#pragma once
// Every grant_type, parameter, token type and claim name the token, introspection and
// revocation endpoints put on or read off the wire, in one place (STYLE.md §7.4), so a
// typo is a compile error rather than a silent mismatch.
#include <string_view>

namespace keyward::grants::wire {

// Grant types (RFC 6749 §4.1.3, §4.3.2, §4.4.2, §6).
inline constexpr std::string_view kAuthorizationCode = "authorization_code";
inline constexpr std::string_view kClientCredentials = "client_credentials";
inline constexpr std::string_view kPassword = "password";
inline constexpr std::string_view kRefreshToken = "refresh_token";

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

// Token type hints (RFC 7009 §2.1, RFC 7662 §2.1).
inline constexpr std::string_view kAccessTokenHint = "access_token";
inline constexpr std::string_view kRefreshTokenHint = "refresh_token";

}  // namespace keyward::grants::wire
