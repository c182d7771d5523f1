#pragma once
// Reads client authentication from an HTTP request (RFC 6749 §2.3.1): the
// Authorization: Basic header, whose id and secret are application/x-www-form-urlencoded
// before base64 (so "client%3Aid" is "client:id" and "%2B" is "+"; decoded with form.h's
// strict decoder), or client_id / client_secret in the form body, or client_id alone
// (a public client). Both at once, or a repeated client_id/client_secret, is
// invalid_request (RFC 6749 §2.3: one method per request); a malformed Basic header is
// invalid_client with basic_auth_used; no client_id at all is invalid_client.
#include "grants/client_auth.h"
#include "grants/oauth_error.h"
#include "http/form.h"
#include "http/request.h"

namespace keyward::server {

[[nodiscard]] grants::OAuthResult<grants::ClientAuthInput> client_auth_input(
    const http::HttpRequest& request, const http::FormParams& body);

}  // namespace keyward::server
