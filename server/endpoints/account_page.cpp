#include "server/endpoints/account_page.h"

#include <cctype>
#include <ctime>

#include "common/base64url.h"
#include "grants/scope.h"
#include "server/endpoints/browser_pages.h"
#include "server/endpoints/csrf.h"

namespace keyward::server {
namespace {

using json = nlohmann::json;

struct DoneText {
  std::string_view key, text;
};
constexpr DoneText kDoneTexts[] = {
    {"profile", "Your profile is saved."},
    // "on its way", not "sent": over the hourly mail limit nothing is sent, and the page
    // does not say so (the limits are the same for everyone and reveal nothing).
    {"email",
     "Your profile is saved. A verification link is on its way to your new e-mail address."},
    {"verification",
     "A new verification link is on its way to your e-mail address, unless we sent you "
     "several in the last hour."},
    {"password", "Your password is changed. Every other browser and application was signed out."},
    {"session", "That browser is signed out."},
    {"application", "The application's access to your account is revoked."},
    {"provider", "The provider is unlinked: it no longer signs you in to this account."},
};

// "2026-12-07 00:15 UTC": the server knows no time zone of the user's.
std::string when(TimePoint t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(
      std::chrono::time_point_cast<std::chrono::system_clock::duration>(t));
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", &utc);
  return text;
}

json sessions_view(const accounts::AccountOverview& overview, const storage::SessionRecord& current,
                   const std::string& csrf) {
  json out = json::array();
  for (const auto& s : overview.sessions) {
    out.push_back({{"key", session_key(s.id_hash)},
                   {"browser", s.user_agent.value_or("An unknown browser")},
                   {"address", s.ip_address.value_or("an unknown address")},
                   {"created", when(s.created_at)},
                   {"last_seen", when(s.last_seen_at)},
                   {"current", s.id_hash == current.id_hash},
                   {"csrf_token", csrf}});
  }
  return out;
}

json applications_view(const accounts::AccountOverview& overview, const std::string& csrf) {
  json out = json::array();
  for (const auto& app : overview.applications) {
    out.push_back({{"client_id", app.client_id},
                   {"name", app.client_name.empty() ? app.client_id : app.client_name},
                   {"scopes", scope_views(grants::to_scope_set(app.scopes))},
                   {"csrf_token", csrf}});
  }
  return out;
}

// A user without a password keeps their last link: no Unlink button is offered for it
// (the account service refuses it too).
json providers_view(const storage::UserRecord& user, const accounts::AccountOverview& overview,
                    const std::string& csrf) {
  const bool can_unlink = user.password_hash || overview.linked_providers.size() > 1;
  json out = json::array();
  for (const auto& p : overview.linked_providers) {
    out.push_back({{"provider", p.provider},
                   {"label", p.provider_label},
                   {"email", p.email ? json(*p.email) : json(nullptr)},
                   {"linked", when(p.created_at)},
                   {"last_used", when(p.last_used_at)},
                   {"can_unlink", can_unlink},
                   {"csrf_token", csrf}});
  }
  return out;
}

json optional_text(const std::optional<std::string>& text) {
  return text && !text->empty() ? json(*text) : json(nullptr);
}

}  // namespace

std::optional<std::string_view> account_done_text(std::string_view key) {
  for (const auto& d : kDoneTexts) {
    if (d.key == key) return d.text;
  }
  return std::nullopt;
}

std::string session_key(std::string_view id_hash) {
  return base64url_encode(id_hash);
}

std::optional<std::string> session_id_hash(std::string_view key) {
  if (key.size() != 43) return std::nullopt;  // 32 bytes
  auto bytes = base64url_decode(key);
  if (!bytes || bytes->size() != 32) return std::nullopt;
  return bytes;
}

http::HttpResponse account_page(const BrowserFlow& flow, const storage::UserRecord& user,
                                const storage::SessionRecord& session,
                                const accounts::AccountOverview& overview,
                                const AccountPageState& state) {
  const std::string csrf = csrf_token(session.csrf_secret);
  const auto& typed = state.typed_profile;
  json view = {{"title", "Your account"},
               {"username", user.username},
               {"initial", std::string(1, static_cast<char>(std::toupper(
                                              static_cast<unsigned char>(user.username[0]))))},
               {"notice", optional_text(state.notice)},
               {"error", optional_text(state.error)},
               {"csrf_token", csrf},
               {"given_name", typed ? json(typed->given_name) : optional_text(user.given_name)},
               {"family_name", typed ? json(typed->family_name) : optional_text(user.family_name)},
               {"email", typed ? json(typed->email) : optional_text(user.email)},
               {"email_verified", user.email && user.email_verified},
               {"email_unverified", user.email && !user.email_verified},
               {"no_email", !user.email},
               {"sessions", sessions_view(overview, session, csrf)},
               {"applications", applications_view(overview, csrf)},
               {"no_applications", overview.applications.empty()},
               {"providers", providers_view(user, overview, csrf)},
               {"has_providers", !overview.linked_providers.empty()},
               {"has_password", user.password_hash.has_value()}};
  return http::HttpResponse::html(state.status, flow.templates->render(Page::Account, view));
}

}  // namespace keyward::server
