#pragma once
// The names only the browser endpoints put on the wire: their paths, the cookies they set
// and the fields of their own forms (templates/login.html, consent.html and logout.html
// carry the same field names). The OAuth parameters they read are in grants/wire.h.
#include <string_view>

namespace keyward::server::browser_wire {

inline constexpr std::string_view kAuthorizePath = "/authorize";
inline constexpr std::string_view kLoginPath = "/login";
inline constexpr std::string_view kConsentPath = "/consent";
inline constexpr std::string_view kLogoutPath = "/logout";
inline constexpr std::string_view kAccountPath = "/account";
inline constexpr std::string_view kStylesheetPath = "/assets/keyward.css";

// Cookies (session_cookie.h); with an https issuer both names take the __Host- prefix.
inline constexpr std::string_view kSessionCookie = "keyward_session";
inline constexpr std::string_view kLoginCookie = "keyward_login";
inline constexpr std::string_view kHostPrefix = "__Host-";

// Fields of our own forms, never part of the authorization or logout request they carry.
inline constexpr std::string_view kCsrfField = "csrf_token";
inline constexpr std::string_view kUsernameField = "username";
inline constexpr std::string_view kPasswordField = "password";
inline constexpr std::string_view kDecisionField = "decision";
// The login form without a client (the account page's): where to go after sign-in, one of
// a closed set of our own pages, never a URL (no open redirect).
inline constexpr std::string_view kReturnToField = "return_to";
inline constexpr std::string_view kOwnFields[] = {kCsrfField, kUsernameField, kPasswordField,
                                                  kDecisionField, kReturnToField};

// The only return_to value: GET /account.
inline constexpr std::string_view kReturnToAccount = "account";

// The consent form's decision values.
inline constexpr std::string_view kAllow = "allow";
inline constexpr std::string_view kDeny = "deny";

}  // namespace keyward::server::browser_wire
