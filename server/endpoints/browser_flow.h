#pragma once
// What the browser endpoints (/authorize, /login, /consent, /logout) are built on.
//
// The flow: /authorize validates the request (grants::Authorizer) and, depending on who
// is signed in, shows the login page, the consent page, or redirects to the client with
// a code. Forms carry the authorization request's parameters as hidden fields and are
// validated again on every POST, so a tab holds its whole request and two tabs of one
// browser sign in side by side. POST /login signs in and sends the browser back to
// /authorize (PRG); POST /consent allows or denies. Everything runs on the worker pool.
//
// The pieces: session_cookie.h (who the browser is), browser_form.h (a POSTed form, read
// once, CSRF first), browser_pages.h (what is shown), browser_redirects.h (where the
// browser is sent), browser_wire.h (paths, cookie and field names).
#include <memory>

#include "audit/event.h"
#include "common/clock.h"
#include "common/log.h"
#include "federation/provider_registry.h"
#include "grants/authorize.h"
#include "grants/client_cache.h"
#include "grants/id_token.h"
#include "grants/user_authenticator.h"
#include "server/endpoints/browser_wire.h"
#include "server/endpoints/session_cookie.h"
#include "server/render/templates.h"
#include "storage/session_repository.h"
#include "storage/user_repository.h"

namespace keyward::server {

// What the browser endpoints use; everything must outlive the routes.
struct BrowserFlow {
  grants::Authorizer& authorizer;
  grants::UserAuthenticator& user_auth;
  grants::ClientCache& clients;
  grants::IdTokenIssuer& id_tokens;
  storage::SessionRepository& sessions;
  storage::UserRepository& users;
  std::shared_ptr<const Templates> templates;
  const Clock& clock;
  SessionPolicy policy;
  Logger& logger;
  // Sign-ins, consents and sign-outs are reported here (audit/event.h).
  audit::EventSink& events;
  // KEYWARD_REGISTRATION=open: /signup is served and the login page links to it.
  bool registration_open = false;
  // The upstream providers whose buttons the login pages show; null: none.
  federation::ProviderRegistry* providers = nullptr;
};

}  // namespace keyward::server
