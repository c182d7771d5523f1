#pragma once
// Signing a browser in, as POST /login and POST /signup do: a new signed-in session
// (a new id and a new CSRF secret, against session fixation), the session cookie set, the
// pre-login cookie cleared, and a 303 to where the browser goes next. The session records
// the browser's User-Agent and address for the account page's list of sessions.
#include <optional>
#include <string>
#include <string_view>

#include "http/request.h"
#include "http/response.h"
#include "server/endpoints/browser_flow.h"
#include "storage/session_repository.h"

namespace keyward::server {

// Signs `user_id` in, replacing `previous` (the browser's live session, if any), and
// answers 303 to `location`; the error page when the session cannot be stored, the CSRF
// page when `previous` ended meanwhile. `amr` records how the user signed in (RFC 8176:
// "pwd" by /login and /signup, "fed" by federation); ID tokens carry it. The session's
// auth_time is now, or `auth_time` when earlier (the upstream's sign-in, for federation).
[[nodiscard]] http::HttpResponse sign_in_and_redirect(
    const http::HttpRequest& request, const BrowserFlow& flow,
    const std::optional<storage::SessionRecord>& previous, std::string_view user_id,
    std::string location, std::string_view amr = storage::kAmrPassword,
    std::optional<TimePoint> auth_time = std::nullopt);

}  // namespace keyward::server
