#include "server/compose.h"

#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <iostream>

#include "accounts/account_service.h"
#include "accounts/email_verification.h"
#include "accounts/federated_sign_in.h"
#include "accounts/password_recovery.h"
#include "accounts/registration.h"
#include "audit/event.h"
#include "audit/event_writer.h"
#include "federation/stored_provider_registry.h"
#include "grants/authorization_code.h"
#include "grants/authorize.h"
#include "grants/client_announcement.h"
#include "grants/client_auth.h"
#include "grants/client_cache.h"
#include "grants/client_credentials.h"
#include "grants/client_secret.h"
#include "grants/dynamic_registration.h"
#include "grants/grant_registry.h"
#include "grants/id_token.h"
#include "grants/introspection.h"
#include "grants/login_throttle.h"
#include "grants/password.h"
#include "grants/refresh_token.h"
#include "grants/revocation.h"
#include "grants/token_issuer.h"
#include "grants/user_authenticator.h"
#include "grants/userinfo.h"
#include "grants/wire.h"
#include "http/health.h"
#include "http/metrics_endpoint.h"
#include "http/pistache_adapter.h"
#include "http/request_metrics.h"
#include "http/service.h"
#include "http/worker_pool.h"
#include "keys/key_manager.h"
#include "keys/key_store.h"
#include "mail/mail_queue.h"
#include "mail/mail_templates.h"
#include "mail/outbox_delivery.h"
#include "metrics/event_counter.h"
#include "metrics/process_metrics.h"
#include "metrics/registry.h"
#include "server/admin/admin_api.h"
#include "server/endpoints/account.h"
#include "server/endpoints/authorize.h"
#include "server/endpoints/consent.h"
#include "server/endpoints/discovery.h"
#include "server/endpoints/federation_callback.h"
#include "server/endpoints/federation_link.h"
#include "server/endpoints/federation_start.h"
#include "server/endpoints/introspection.h"
#include "server/endpoints/jwks.h"
#include "server/endpoints/login.h"
#include "server/endpoints/logout.h"
#include "server/endpoints/recover.h"
#include "server/endpoints/registration.h"
#include "server/endpoints/reset.h"
#include "server/endpoints/revocation.h"
#include "server/endpoints/signup.h"
#include "server/endpoints/token.h"
#include "server/endpoints/userinfo.h"
#include "server/endpoints/verify_email.h"
#include "server/janitor_schedule.h"
#include "server/render/templates.h"
#include "server/server_metrics.h"
#include "storage/account_repository.h"
#include "storage/client_repository.h"
#include "storage/code_repository.h"
#include "storage/conninfo.h"
#include "storage/consent_repository.h"
#include "storage/database.h"
#include "storage/dynamic_client_repository.h"
#include "storage/event_repository.h"
#include "storage/federated_identity_repository.h"
#include "storage/federation_flow_repository.h"
#include "storage/grant_repository.h"
#include "storage/listener.h"
#include "storage/mail_outbox_repository.h"
#include "storage/migrator.h"
#include "storage/refresh_token_repository.h"
#include "storage/registration_token_repository.h"
#include "storage/revocation_repository.h"
#include "storage/session_repository.h"
#include "storage/throttle_repository.h"
#include "storage/user_repository.h"

#ifndef KEYWARD_VERSION
#define KEYWARD_VERSION "0.0.0"
#endif

namespace keyward::server {

namespace {

constexpr size_t kWorkerQueue = 1024;
using Step = Result<Unit, std::string>;

}  // namespace

// What `keyward serve` is made of, in the order it is built: each member is built after
// the ones it uses and destroyed before them; App::stop stops the threads first.
struct App::Parts {
  // What /metrics renders: first built and last destroyed, since its callbacks read the
  // parts below (only while the server runs).
  metrics::Registry metrics;
  std::optional<storage::Database> database;
  // Clients and users, for the endpoints that authenticate them: built right after the
  // database and destroyed after the server, whose requests use them.
  SystemClock clock;
  // Audit events (audit/event_writer.h): built before, and destroyed after, every part
  // that reports to `events`; App::stop flushes the writer last. Every event goes to the
  // writer (unless KEYWARD_EVENTS=off) and to the counters behind keyward_events_total and
  // keyward_tokens_issued_total, through one fan-out.
  std::unique_ptr<storage::EventRepository> event_store;
  std::unique_ptr<audit::AsyncEventWriter> event_writer;  // null with KEYWARD_EVENTS=off
  std::unique_ptr<metrics::EventCounter> event_counter;
  std::unique_ptr<audit::FanOutEventSink> event_fan_out;
  audit::EventSink* events = nullptr;  // event_fan_out, from open_events on
  std::unique_ptr<storage::ClientRepository> clients;
  std::unique_ptr<grants::ClientCache> client_cache;
  std::unique_ptr<storage::Listener> client_listener;  // feeds client_cache; stops first
  std::unique_ptr<grants::ClientAuthenticator> client_auth;
  std::unique_ptr<storage::UserRepository> users;
  std::unique_ptr<storage::ThrottleRepository> throttle_store;
  std::unique_ptr<grants::LoginThrottle> login_throttle;
  std::unique_ptr<grants::UserAuthenticator> user_auth;  // call from the worker pool
  std::shared_ptr<keys::KeyManager> key_manager;  // after database: it uses it until it stops
  // Tokens: after the keys and the users they use, before the server.
  std::unique_ptr<storage::GrantRepository> grant_store;
  std::unique_ptr<storage::RefreshTokenRepository> refresh_store;
  std::unique_ptr<storage::RevocationRepository> revocation_store;
  std::unique_ptr<grants::TokenIssuer> issuer;
  // Browser sign-in: codes, sessions, consents, ID tokens, the pages.
  std::unique_ptr<storage::CodeRepository> code_store;
  std::unique_ptr<storage::SessionRepository> session_store;
  std::unique_ptr<storage::ConsentRepository> consent_store;
  std::unique_ptr<grants::IdTokenIssuer> id_tokens;
  std::unique_ptr<grants::Authorizer> authorizer;
  std::unique_ptr<grants::UserInfo> userinfo;
  std::unique_ptr<grants::StandingGrants> standing_grants;
  std::unique_ptr<grants::GrantRegistry> grant_registry;
  std::unique_ptr<grants::Introspection> introspection;
  std::unique_ptr<grants::Revocation> revocation;
  // Account mails: queued by requests, sent by the delivery thread (stopped with the
  // server's other threads).
  std::unique_ptr<storage::MailOutboxRepository> outbox;
  std::unique_ptr<mail::MailQueue> mail_queue;
  std::unique_ptr<mail::OutboxDelivery> mail_delivery;  // only with KEYWARD_SMTP_URL
  std::unique_ptr<accounts::EmailVerification> email_verification;
  // Accounts people run themselves: sign-up and password recovery (their mails go through
  // mail_queue).
  std::unique_ptr<accounts::PasswordRecovery> password_recovery;
  std::unique_ptr<accounts::Registration> registration;
  std::shared_ptr<const BrowserFlow> browser_flow;  // set by add_browser_routes
  // The account page: after the users, sessions, grants and mails it acts on.
  std::unique_ptr<storage::AccountRepository> account_store;
  // Federated sign-in (docs/federation.md): the upstream providers, the flows under way,
  // the links, and the rules of who signs in; before the account page, which lists links.
  std::unique_ptr<federation::ProviderRegistry> providers;  // null: federation not composed
  std::unique_ptr<storage::FederatedIdentityRepository> federated_identities;
  std::unique_ptr<storage::FederationFlowRepository> federation_flows;
  std::unique_ptr<accounts::FederatedSignIn> federated_sign_in;
  std::unique_ptr<accounts::AccountService> account_service;
  // Dynamic client registration (KEYWARD_DCR token or open).
  std::unique_ptr<storage::DynamicClientRepository> dynamic_clients;
  std::unique_ptr<storage::RegistrationTokenRepository> registration_tokens;
  std::unique_ptr<grants::DynamicRegistration> dynamic_registration;
  std::unique_ptr<JanitorSchedule> janitor;
  std::unique_ptr<http::HttpService> service;
  std::unique_ptr<http::RequestMetrics> request_metrics;  // laid out once every route is added
  std::unique_ptr<http::WorkerPool> pool;
  std::unique_ptr<http::HttpServer> server;
  bool stopped = false;

  void open_events(const Config& config, Logger& logger);
  Step open_clients(const std::string& url, const std::string& master_key);
  void open_users(const Config& config);
  void open_keys(const Config& config, const std::string& url, const std::string& master_key,
                 Logger& logger);
  void open_token_grants(const Config& config, const std::string& master_key);
  void open_browser_flow(const Config& config);
  Step open_mail(const Config& config, Logger& logger);
  void add_health_routes(Logger& logger);
  void add_browser_routes(const Config& config, std::shared_ptr<const Templates> templates,
                          Logger& logger);
  void add_token_routes(Logger& logger);
  void add_account_routes(const Config& config);
  void add_admin_routes(const Config& config, const std::string& url, const std::string& master_key,
                        Logger& logger);
  void add_registration_routes(const Config& config, const std::string& master_key, Logger& logger);
  void add_metrics(const Config& config);
  Step listen(const Config& config);
};

App::App() : parts_(std::make_unique<Parts>()) {}

App::~App() {
  stop(std::chrono::milliseconds(0));
}

// KEYWARD_EVENTS=on: one writer thread, batches of up to 500 events, at most ~200 ms after
// the first is queued; off: nothing is stored (the token benchmark compares the two). The
// counters see every event either way; every grant type is counted from 0, the password
// grant too (it stays 0 unless KEYWARD_PASSWORD_GRANT is on).
void App::Parts::open_events(const Config& config, Logger& logger) {
  std::vector<audit::EventSink*> sinks;
  if (config.events) {
    event_store = std::make_unique<storage::EventRepository>(*database);
    event_writer = std::make_unique<audit::AsyncEventWriter>(*event_store, clock, logger);
    sinks.push_back(event_writer.get());
  }
  std::vector<std::string> grant_types;
  for (const auto grant : {grants::wire::kAuthorizationCode, grants::wire::kClientCredentials,
                           grants::wire::kRefreshToken, grants::wire::kPassword}) {
    grant_types.emplace_back(grant);
  }
  event_counter = std::make_unique<metrics::EventCounter>(metrics, grant_types);
  sinks.push_back(event_counter.get());
  event_fan_out = std::make_unique<audit::FanOutEventSink>(std::move(sinks));
  events = event_fan_out.get();
}

// Clients are cached per process; `keyward client` NOTIFYs every change (payload: the
// client id), and after a reconnection everything is dropped, since NOTIFYs sent while
// the listener was away are lost (DESIGN.md "Shape").
Step App::Parts::open_clients(const std::string& url, const std::string& master_key) {
  clients = std::make_unique<storage::ClientRepository>(*database);
  client_cache = std::make_unique<grants::ClientCache>(*clients, clock);
  // Each change is confirmed once dropped, so the command that made it returns only when
  // every instance has (grants/client_announcement.h); the listener's application_name is
  // how the command counts the instances.
  grants::ClientCache* cache = client_cache.get();
  storage::Database* database_for_acks = &*database;
  auto listener_conninfo = storage::ConnInfo::parse(url);
  if (!listener_conninfo.ok()) return err("KEYWARD_DATABASE_URL: " + listener_conninfo.error());
  listener_conninfo->set("application_name", std::string(grants::kClientsListenerName));
  auto listener = storage::Listener::start(
      listener_conninfo->to_string(), {std::string(grants::kClientsChannel)},
      [cache, database_for_acks](const std::string&, const std::string& client_id) {
        cache->invalidate(client_id);
        grants::confirm_client_change(*database_for_acks, client_id);
      },
      [cache] { cache->invalidate_all(); });
  if (!listener.ok()) return err("cannot listen for client changes: " + listener.error());
  client_listener = std::move(listener).value();
  client_auth = std::make_unique<grants::ClientAuthenticator>(
      *client_cache, grants::client_secret_key(master_key), *events);
  return Unit{};
}

void App::Parts::open_users(const Config& config) {
  users = std::make_unique<storage::UserRepository>(*database);
  throttle_store = std::make_unique<storage::ThrottleRepository>(*database);
  login_throttle = std::make_unique<grants::LoginThrottle>(*throttle_store, clock);
  user_auth = std::make_unique<grants::UserAuthenticator>(
      *users, *login_throttle,
      grants::Argon2Params{config.argon2_memory_kib, config.argon2_iterations,
                           config.argon2_parallelism},
      *events);
}

// Not loaded yet: KeyManager::start(), after every route, loads (or creates) them in the
// background, and readiness waits for them.
void App::Parts::open_keys(const Config& config, const std::string& url,
                           const std::string& master_key, Logger& logger) {
  keys::KeyManagerOptions key_options;
  key_options.master_key = master_key;
  key_options.publication_delay = config.key_publication_delay;
  key_options.rotation_interval = config.key_rotation_interval;
  key_options.keep_retired_for =
      keys::retired_key_lifetime(config.access_token_ttl, config.id_token_ttl);
  key_manager =
      std::make_shared<keys::KeyManager>(*database, url, std::move(key_options), logger, *events);
}

// The grants POST /token serves, and what /introspect and /revoke answer from.
void App::Parts::open_token_grants(const Config& config, const std::string& master_key) {
  grant_store = std::make_unique<storage::GrantRepository>(*database);
  refresh_store = std::make_unique<storage::RefreshTokenRepository>(*database);
  revocation_store = std::make_unique<storage::RevocationRepository>(*database);
  issuer = std::make_unique<grants::TokenIssuer>(
      *key_manager, clock,
      grants::TokenIssuerConfig{config.issuer, config.access_token_ttl, config.refresh_token_ttl});
  standing_grants =
      std::make_unique<grants::StandingGrants>(*grant_store, clock, config.access_token_ttl);
  grant_registry = std::make_unique<grants::GrantRegistry>();
  grant_registry->add(std::make_unique<grants::ClientCredentialsGrant>(*issuer, *standing_grants));
  // RFC 9700 §2.4: off unless asked for. Not registered, it is neither listed in
  // discovery nor served: grant_type=password gets unsupported_grant_type.
  if (config.password_grant) {
    grant_registry->add(std::make_unique<grants::PasswordGrant>(*user_auth, *grant_store, *issuer));
  }
  grant_registry->add(std::make_unique<grants::RefreshTokenGrant>(
      *refresh_store, *issuer,
      grants::RefreshTokenPolicy{grants::refresh_successor_key(master_key),
                                 config.refresh_reuse_grace},
      *events));
  introspection = std::make_unique<grants::Introspection>(*key_manager, *revocation_store,
                                                          *refresh_store, clock, config.issuer);
  revocation = std::make_unique<grants::Revocation>(*key_manager, *revocation_store, *refresh_store,
                                                    *grant_store, clock, config.issuer);
}

// Browser sign-in: the code grant, and what /authorize, /login, /consent, /logout and
// /userinfo use.
void App::Parts::open_browser_flow(const Config& config) {
  code_store = std::make_unique<storage::CodeRepository>(*database);
  session_store = std::make_unique<storage::SessionRepository>(*database);
  consent_store = std::make_unique<storage::ConsentRepository>(*database);
  id_tokens = std::make_unique<grants::IdTokenIssuer>(
      *key_manager, clock, grants::IdTokenConfig{config.issuer, config.id_token_ttl});
  grant_registry->add(std::make_unique<grants::AuthorizationCodeGrant>(
      *code_store, *grant_store, *refresh_store, *users, *issuer, *id_tokens, *events));
  authorizer = std::make_unique<grants::Authorizer>(
      *client_cache, *consent_store, *code_store, clock,
      grants::AuthorizeConfig{config.issuer, config.code_ttl, config.refresh_token_ttl});
  userinfo = std::make_unique<grants::UserInfo>(*key_manager, *revocation_store, *users, clock,
                                                config.issuer);
}

// Account mails (issue 12): templates/mail/, the outbox, and its delivery thread when an
// SMTP server is configured (without one, mails wait in the outbox; the start warns).
Step App::Parts::open_mail(const Config& config, Logger& logger) {
  auto templates = mail::MailTemplates::load(config.templates_dir / "mail");
  if (!templates.ok()) return err("cannot load the mail templates: " + templates.error());
  outbox = std::make_unique<storage::MailOutboxRepository>(*database);
  mail_queue = std::make_unique<mail::MailQueue>(std::move(templates).value(), *outbox, clock);
  email_verification = std::make_unique<accounts::EmailVerification>(
      *database, *mail_queue, clock,
      accounts::LinkSettings{config.issuer, config.mail_limit_per_hour});
  if (!config.smtp_url) {
    logger.warn(
        "KEYWARD_SMTP_URL is not set: verification and password-reset mails wait in the "
        "outbox and are not sent");
  } else {
    mail_delivery = std::make_unique<mail::OutboxDelivery>(
        *outbox,
        mail::SmtpSender(mail::SmtpSettings{*config.smtp_url, config.smtp_from,
                                            config.smtp_username, config.smtp_password}),
        clock, logger);
  }
  return Unit{};
}

void App::Parts::add_health_routes(Logger& logger) {
  http::HttpService* http_service = service.get();
  storage::Database* db = &*database;
  keys::KeyManager* keys = key_manager.get();
  auto readiness = std::make_shared<http::ReadinessCheck>(
      [http_service, db, keys]() -> std::optional<std::string> {
        if (http_service->draining()) return std::string("shutting down");
        if (auto reason = db->check_ready()) return reason;
        return keys->not_ready_reason();
      });
  http::add_health_routes(service->router(), readiness, logger);
}

// The pages and their stylesheet, /authorize, /login, /consent, /logout, /userinfo, /account.
void App::Parts::add_browser_routes(const Config& config,
                                    std::shared_ptr<const Templates> templates, Logger& logger) {
  http::Router& router = service->router();
  federated_identities = std::make_unique<storage::FederatedIdentityRepository>(*database);
  federation_flows = std::make_unique<storage::FederationFlowRepository>(*database);
  federated_sign_in = std::make_unique<accounts::FederatedSignIn>(*federated_identities, *users,
                                                                  clock, config.registration_open);
  auto flow = std::make_shared<const BrowserFlow>(BrowserFlow{
      *authorizer, *user_auth, *client_cache, *id_tokens, *session_store, *users,
      std::move(templates), clock,
      SessionPolicy::for_issuer(config.issuer, config.session_ttl, config.session_idle_timeout),
      logger, *events, config.registration_open, providers.get()});
  browser_flow = flow;
  add_authorize_routes(router, flow);
  add_login_route(router, flow);
  add_consent_route(router, flow);
  add_logout_routes(router, flow);
  add_userinfo_routes(router, UserInfoEndpoint{*userinfo, logger});
  account_store = std::make_unique<storage::AccountRepository>(*database);
  // email_verification (open_mail) exists: a changed address gets its link.
  account_service = std::make_unique<accounts::AccountService>(
      *account_store, *users, *user_auth, email_verification.get(), clock,
      grants::Argon2Params{config.argon2_memory_kib, config.argon2_iterations,
                           config.argon2_parallelism},
      config.session_idle_timeout, federated_identities.get());
  add_account_page_routes(
      router, std::make_shared<const AccountEndpoint>(AccountEndpoint{flow, *account_service}));
  if (providers) {
    auto federation = std::make_shared<const FederationFlowContext>(
        FederationFlowContext{flow, *providers, *federation_flows, *federated_sign_in});
    add_federation_start_route(router, federation);
    add_federation_callback_route(router, federation);
    add_federation_link_routes(router, federation);
  }
}

// POST /token with its grants, /introspect, /revoke, all on the worker pool.
void App::Parts::add_token_routes(Logger& logger) {
  http::Router& router = service->router();
  add_token_route(router, TokenEndpoint{*client_auth, *grant_registry, logger, *events});
  add_introspection_route(router, IntrospectionEndpoint{*client_auth, *introspection, logger});
  add_revocation_route(router, RevocationEndpoint{*client_auth, *revocation, logger});
}

// /signup, /verify-email, /recover, /reset; after open_mail (their mails) and
// add_browser_routes (their pages and sessions).
void App::Parts::add_account_routes(const Config& config) {
  const accounts::LinkSettings links{config.issuer, config.mail_limit_per_hour};
  const grants::Argon2Params argon2{config.argon2_memory_kib, config.argon2_iterations,
                                    config.argon2_parallelism};
  password_recovery =
      std::make_unique<accounts::PasswordRecovery>(*database, *mail_queue, clock, links, argon2);
  registration = std::make_unique<accounts::Registration>(*users, *email_verification, argon2);
  auto flow = std::make_shared<const AccountFlow>(
      AccountFlow{browser_flow, *registration, *email_verification, *password_recovery,
                  [workers = pool.get()](std::function<void()> task) {
                    return workers->submit(std::move(task));
                  }});
  http::Router& router = service->router();
  add_signup_routes(router, flow);
  add_verify_email_routes(router, flow);
  add_recover_routes(router, flow);
  add_reset_routes(router, flow);
}

// /admin/v1/ (server/admin/): the operations the CLI runs, for Bearer tokens of the admin
// audience; on the worker pool.
void App::Parts::add_admin_routes(const Config& config, const std::string& url,
                                  const std::string& master_key, Logger& logger) {
  const grants::Argon2Params argon2{config.argon2_memory_kib, config.argon2_iterations,
                                    config.argon2_parallelism};
  admin::add_admin_routes(
      service->router(),
      std::make_shared<admin::AdminApi>(admin::AdminApi{
          admin::AdminAccess(*key_manager, *revocation_store, clock, config.issuer),
          // Each change names its admin client (admin_actor); "admin" is never used alone.
          operations::ClientOperations(*database, url, *events, operations::Actor{"admin", {}, {}}),
          operations::UserOperations(*database, argon2, config.session_idle_timeout, *events,
                                     operations::Actor{"admin", {}, {}}),
          operations::KeyOperations(*database, *events, operations::Actor{"admin", {}, {}}),
          operations::RegistrationTokenOperations(*database, clock),
          operations::EventOperations(*database), grants::client_secret_key(master_key),
          keys::key_encryption_key(master_key), config.key_publication_delay, KEYWARD_VERSION,
          clock, logger}));
}

// POST /register and /register/{client_id} (RFC 7591, RFC 7592) unless KEYWARD_DCR=off.
// A change to a registered client reaches this instance's cache at once and the others
// through the same NOTIFY `keyward client` sends.
void App::Parts::add_registration_routes(const Config& config, const std::string& master_key,
                                         Logger& logger) {
  if (config.dcr == Config::DcrMode::Off) return;
  dynamic_clients = std::make_unique<storage::DynamicClientRepository>(*database);
  registration_tokens = std::make_unique<storage::RegistrationTokenRepository>(*database);
  grants::ClientCache* cache = client_cache.get();
  storage::Database* db = &*database;
  Logger* log = &logger;
  dynamic_registration = std::make_unique<grants::DynamicRegistration>(
      *dynamic_clients, *registration_tokens, clock,
      grants::RegistrationSettings{config.issuer,
                                   config.dcr == Config::DcrMode::Open
                                       ? grants::RegistrationPolicy::Open
                                       : grants::RegistrationPolicy::InitialAccessToken,
                                   grants::client_secret_key(master_key)},
      [cache, db, log](const std::string& client_id) {
        cache->invalidate(client_id);
        if (auto sent = db->notify(grants::kClientsChannel, client_id); !sent.ok()) {
          log->warn("cannot announce a client change; other instances pick it up within a minute",
                    {{"client_id", client_id}, {"error", sent.error().message}});
        }
      });
  server::add_registration_routes(service->router(),
                                  RegistrationEndpoint{*dynamic_registration, logger, *events});
}

// GET /metrics and what it reports; last among the routes, so every route has its cells.
void App::Parts::add_metrics(const Config& config) {
  http::Router& router = service->router();
  http::add_metrics_route(router, metrics, config.metrics_allow);
  request_metrics = std::make_unique<http::RequestMetrics>(metrics, router);
  service->measure_with(request_metrics.get());
  add_server_metrics(
      metrics,
      ServerMetricSources{*database, *pool, key_manager, clock,
                          [this] { return server ? server->in_flight() : 0; }, KEYWARD_VERSION});
  if (event_writer) add_event_writer_metrics(metrics, *event_writer);
  metrics::add_process_metrics(metrics);
}

Step App::Parts::listen(const Config& config) {
  http::HttpServerOptions server_options;
  server_options.host = config.listen.host;
  server_options.port = config.listen.port;
  server_options.threads = config.threads;
  server_options.queue_deadline = config.queue_deadline;
  server = std::make_unique<http::HttpServer>(*service, *pool, server_options);
  try {
    server->start();
  } catch (const std::exception& e) {
    pool->stop();
    return err("cannot listen on " + config.listen.to_string() + ": " + e.what() +
               "; set KEYWARD_LISTEN to a free address");
  }
  return Unit{};
}

namespace {

Result<MasterKey, std::string> master_key_for(const Config& config, Logger& logger) {
  auto master_key = resolve_master_key(config);
  if (!master_key.ok()) return err(master_key.error());
  if (master_key->development) {
    logger.warn("KEYWARD_MASTER_KEY is not set: using the DEVELOPMENT master key in " +
                    master_key->path.string() +
                    "; anyone who can read that file can decrypt the signing keys. Set "
                    "KEYWARD_MASTER_KEY (openssl rand -hex 32) in production",
                {{"path", master_key->path.string()}});
  }
  return master_key;
}

}  // namespace

Result<std::unique_ptr<App>, std::string> App::start(const Config& config, Logger& logger,
                                                     const ExtraRoutes& extra_routes) {
  auto url = require_database_url(config);
  if (!url.ok()) return err(url.error());
  auto master_key = master_key_for(config, logger);
  if (!master_key.ok()) return err(master_key.error());
  storage::DatabaseOptions db_options;
  // One connection per reactor thread plus one per worker (DESIGN.md "libpqxx 6.4").
  db_options.max_connections =
      static_cast<size_t>(config.threads) + static_cast<size_t>(config.workers);
  auto database = storage::Database::open(*url, db_options);
  if (!database.ok()) {
    return err("KEYWARD_DATABASE_URL is not a valid PostgreSQL connection string: " +
               database.error());
  }
  auto templates = Templates::load(config.templates_dir);
  if (!templates.ok()) return err("cannot load the page templates: " + templates.error());

  std::unique_ptr<App> app(new App());
  Parts& p = *app->parts_;
  p.database.emplace(std::move(database).value());
  p.open_events(config, logger);
  if (auto opened = p.open_clients(*url, master_key->bytes); !opened.ok()) {
    return err(opened.error());
  }
  p.open_users(config);
  p.service =
      std::make_unique<http::HttpService>(http::HttpServiceOptions{config.trusted_proxies}, logger);
  p.pool = std::make_unique<http::WorkerPool>(static_cast<size_t>(config.workers), kWorkerQueue,
                                              &worker_wait_histogram(p.metrics));
  p.open_keys(config, *url, master_key->bytes, logger);
  p.open_token_grants(config, master_key->bytes);
  p.open_browser_flow(config);
  if (auto opened = p.open_mail(config, logger); !opened.ok()) return err(opened.error());

  http::Router& router = p.service->router();
  p.add_health_routes(logger);
  add_jwks_route(router, p.key_manager, jwks_max_age(config.key_publication_delay));
  // The upstream providers (`keyward idp`): read from storage on first use, reloaded every
  // 30 s; the redirect URI registered upstream is {issuer}/federation/callback.
  federation::ProviderRegistryOptions provider_options;
  provider_options.keyward_issuer = config.issuer;
  p.providers = federation::make_provider_registry(*p.database, master_key->bytes, p.clock, logger,
                                                   provider_options);
  p.add_browser_routes(config, std::move(templates).value(), logger);
  p.add_token_routes(logger);
  p.add_account_routes(config);
  p.add_admin_routes(config, *url, master_key->bytes, logger);
  p.add_registration_routes(config, master_key->bytes, logger);
  if (extra_routes) extra_routes(ExtraRouteContext{router, logger, p.key_manager, config});
  // Last among the routes: every grant is registered by now. The scopes and claims it lists
  // are grants/'s (DiscoveryMetadata's defaults).
  DiscoveryMetadata discovery;
  discovery.issuer = config.issuer;
  discovery.grant_types = p.grant_registry->grant_types();
  if (p.dynamic_registration) discovery.registration_endpoint = std::string(kRegistrationPath);
  add_discovery_routes(router, p.key_manager, std::move(discovery),
                       jwks_max_age(config.key_publication_delay));
  p.add_metrics(config);
  // Loads (or creates) the signing keys in the background; readiness waits for them.
  if (auto started = p.key_manager->start(); !started.ok()) return err(started.error());

  if (auto listening = p.listen(config); !listening.ok()) return err(listening.error());
  if (p.mail_delivery) p.mail_delivery->start();
  // Housekeeping: every KEYWARD_JANITOR_INTERVAL, one instance at a time
  // (server/janitor_schedule.h).
  JanitorScheduleOptions janitor_options;
  janitor_options.interval = config.janitor_interval;
  janitor_options.janitor.event_retention = config.event_retention;
  p.janitor = std::make_unique<JanitorSchedule>(*p.database, logger, janitor_options);
  return app;
}

void App::begin_drain() {
  if (parts_->service) parts_->service->begin_drain();
}

uint16_t App::port() const {
  return parts_->server ? parts_->server->port() : 0;
}

audit::EventSink& App::events() {
  return *parts_->events;
}

const audit::AsyncEventWriter* App::event_writer() const {
  return parts_->event_writer.get();
}

bool App::stop(std::chrono::milliseconds timeout) {
  if (parts_->stopped) return true;
  parts_->stopped = true;
  bool drained = true;
  // Order matters: the server stops first (answers in flight are written), then the
  // workers finish what they hold; the Pistache objects outlive both.
  if (parts_->server) drained = parts_->server->drain_and_stop(timeout);
  if (parts_->pool) parts_->pool->stop();
  if (parts_->janitor) parts_->janitor->stop();
  if (parts_->mail_delivery) parts_->mail_delivery->stop();
  if (parts_->key_manager) parts_->key_manager->stop();
  // Last: every part that reports events has stopped; what is queued is written (5 s at
  // most; the rest is dropped and counted).
  if (parts_->event_writer) parts_->event_writer->stop();
  return drained;
}

int run_serve(const Config& config, Logger& logger, const ExtraRoutes& extra_routes) {
  // SIGTERM and SIGINT are blocked here, before any thread exists, so every thread
  // inherits the mask and the main thread alone receives them through sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  for (const auto& w : config.warnings) logger.warn(w);

  auto app = App::start(config, logger, extra_routes);
  if (!app.ok()) {
    logger.error("cannot start", {{"error", app.error()}});
    std::fprintf(stderr, "keyward serve: %s\n", app.error().c_str());
    return 1;
  }
  const ListenAddress bound{config.listen.host, app.value()->port()};
  logger.info("listening", {{"address", bound.to_string()},
                            {"issuer", config.issuer},
                            {"threads", config.threads},
                            {"workers", config.workers}});

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  app.value()->begin_drain();
  logger.info("stopping", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
  const bool drained = app.value()->stop(std::chrono::seconds(10));
  if (!drained) logger.warn("drain timed out: some in-flight requests were cut off");
  logger.info("stopped");
  return 0;
}

int run_migrate(const Config& config) {
  auto url = require_database_url(config);
  if (!url.ok()) {
    std::fprintf(stderr, "keyward migrate: %s\n", url.error().c_str());
    return 2;
  }
  auto report = storage::migrate(url.value(), config.migrations_dir);
  if (!report.ok()) {
    const auto& e = report.error();
    if (!e.file.empty()) {
      std::fprintf(stderr, "keyward migrate: %s: %s\n", e.file.c_str(), e.message.c_str());
    } else {
      std::fprintf(stderr, "keyward migrate: %s\n", e.message.c_str());
    }
    return 1;
  }
  for (const auto& name : report->applied) std::printf("applied %s\n", name.c_str());
  for (const auto& name : report->unknown) {
    std::fprintf(stderr,
                 "keyward migrate: warning: %s is recorded as applied but is not in %s (a newer "
                 "build migrated this database)\n",
                 name.c_str(), config.migrations_dir.c_str());
  }
  if (report->applied.empty()) {
    std::printf("nothing to apply: %zu migration(s) already applied\n", report->skipped.size());
  } else {
    std::printf("%zu migration(s) applied, %zu already applied\n", report->applied.size(),
                report->skipped.size());
  }
  return 0;
}

}  // namespace keyward::server
