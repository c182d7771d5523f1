#pragma once
// The account page (templates/account.html): the signed-in user's profile, password form,
// browser sessions, connected applications and the account's deletion, with a status
// notice after an action (Post/Redirect/Get: ?done=<key>, a closed set of keys mapped to
// fixed sentences, never text from the request) or the error of the action that failed.
#include <optional>
#include <string>
#include <string_view>

#include "accounts/account_service.h"
#include "http/response.h"
#include "server/endpoints/browser_flow.h"

namespace keyward::server {

// The sentence a ?done= key stands for; nullopt for any other value (ignored).
[[nodiscard]] std::optional<std::string_view> account_done_text(std::string_view key);

// The session key the page's forms carry: base64url of the session's id_hash (never the
// cookie, from which it cannot be computed back), and its reverse (nullopt when malformed).
[[nodiscard]] std::string session_key(std::string_view id_hash);
[[nodiscard]] std::optional<std::string> session_id_hash(std::string_view key);

struct AccountPageState {
  int status = 200;
  std::optional<std::string> notice;  // a done text
  std::optional<std::string> error;   // for people
  // The profile fields as typed, shown again after a refused profile change.
  std::optional<accounts::ProfileForm> typed_profile;
};

[[nodiscard]] http::HttpResponse account_page(const BrowserFlow& flow,
                                              const storage::UserRecord& user,
                                              const storage::SessionRecord& session,
                                              const accounts::AccountOverview& overview,
                                              const AccountPageState& state);

}  // namespace keyward::server
