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
inline constexpr std::string_view kStylesheetPath = "/assets/keyward.css";
inline constexpr std::string_view kSignupPath = "/signup";
inline constexpr std::string_view kVerifyEmailPath = "/verify-email";
inline constexpr std::string_view kRecoverPath = "/recover";
inline constexpr std::string_view kResetPath = "/reset";
// Where a browser signed up without an authorization request goes (the account page).
inline constexpr std::string_view kAccountPath = "/account";
// Federated sign-in (docs/federation.md): the login page's provider buttons post to start,
// the upstream sends the browser back to callback (the exact redirect URI registered there:
// {issuer}/federation/callback), and link asks for a Keyward password before linking.
inline constexpr std::string_view kFederationStartPath = "/federation/start";
inline constexpr std::string_view kFederationCallbackPath = "/federation/callback";
inline constexpr std::string_view kFederationLinkPath = "/federation/link";

// Cookies (session_cookie.h); with an https issuer both names take the __Host- prefix.
inline constexpr std::string_view kSessionCookie = "keyward_session";
inline constexpr std::string_view kLoginCookie = "keyward_login";
inline constexpr std::string_view kHostPrefix = "__Host-";
// The binding of an upstream flow, and of a pending link, to the browser that started it.
inline constexpr std::string_view kFederationCookie = "keyward_federation";
inline constexpr std::string_view kFederationLinkCookie = "keyward_federation_link";

// Fields of our own forms, never part of the authorization or logout request they carry.
inline constexpr std::string_view kCsrfField = "csrf_token";
inline constexpr std::string_view kUsernameField = "username";
inline constexpr std::string_view kPasswordField = "password";
inline constexpr std::string_view kDecisionField = "decision";
// The sign-up form's own fields: with the authorization request it carries, they must never
// be taken for (and sent back to /authorize as) its parameters.
inline constexpr std::string_view kEmailField = "email";
inline constexpr std::string_view kGivenNameField = "given_name";
inline constexpr std::string_view kFamilyNameField = "family_name";
// The login form without a client (the account page's): where to go after sign-in, one of
// a closed set of our own pages, never a URL (no open redirect).
inline constexpr std::string_view kReturnToField = "return_to";
// The provider button's value (identity_providers.name).
inline constexpr std::string_view kProviderField = "provider";
inline constexpr std::string_view kOwnFields[] = {kCsrfField,       kUsernameField, kPasswordField,
                                                  kDecisionField,   kEmailField,    kGivenNameField,
                                                  kFamilyNameField, kReturnToField, kProviderField};
// The recovery and link forms' fields (they carry no authorization request).
inline constexpr std::string_view kAccountField = "account";  // a username or an address
inline constexpr std::string_view kTokenField = "token";

// The only return_to value: GET /account.
inline constexpr std::string_view kReturnToAccount = "account";

// The consent form's decision values.
inline constexpr std::string_view kAllow = "allow";
inline constexpr std::string_view kDeny = "deny";

}  // namespace keyward::server::browser_wire
