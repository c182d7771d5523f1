#include "resource_server/sample/api.h"

#include <variant>

#include "http/response.h"
#include "resource_server/bearer.h"

namespace keyward::rs {
namespace {

using http::HttpRequest;
using http::HttpResponse;
using json = nlohmann::json;

// Answers about one person's data are never stored by a cache on the way (RFC 9111 §5.2.2.5).
HttpResponse no_store(HttpResponse r) {
  r.headers.set("Cache-Control", "no-store");
  return r;
}

HttpResponse from_bearer_error(const BearerError& e) {
  auto r = HttpResponse::json(e.status, e.body());
  r.headers.set("WWW-Authenticate", e.www_authenticate);
  return no_store(std::move(r));
}

HttpResponse plain_error(int status, std::string_view code, std::string_view description) {
  return http::json_error(status, code, description);
}

// Authenticates the request and checks `scope`: the verified token, or the answer to send.
std::variant<std::shared_ptr<const VerifiedToken>, HttpResponse> authorize(
    const SampleApi& api, const HttpRequest& request, std::string_view scope) {
  const auto fields = request.headers.get_all("Authorization");
  const auto count = [&api](VerificationResult result) {
    if (api.metrics != nullptr) api.metrics->verified(result);
  };
  auto token = bearer_token(fields, request.query.contains("access_token"));
  if (!token.ok()) {
    count(VerificationResult::MalformedRequest);
    return from_bearer_error(invalid_request(api.realm, token.error()));
  }
  if (!token->has_value()) {
    count(VerificationResult::Missing);
    return from_bearer_error(missing_token(api.realm));
  }

  auto verified = api.verifier.verify(**token);
  if (!verified.ok()) {
    const VerifyError& e = verified.error();
    count(e.kind == VerifyError::Kind::KeysUnavailable ? VerificationResult::KeysUnavailable
                                                       : refused_because(e.status));
    if (e.kind == VerifyError::Kind::KeysUnavailable) {
      api.logger.error("cannot verify tokens: no signing keys",
                       {{"request_id", request.request_id}, {"error", e.detail}});
      auto r = plain_error(503, "temporarily_unavailable",
                           "the issuer's signing keys cannot be fetched; try again later");
      r.headers.set("Retry-After", "5");
      return r;
    }
    api.logger.info("token refused", {{"request_id", request.request_id}, {"reason", e.detail}});
    return from_bearer_error(invalid_token(api.realm, e.status));
  }
  count(VerificationResult::Valid);
  const auto& t = verified.value();
  if (!t->has_scope(scope)) {
    auto r = from_bearer_error(insufficient_scope(api.realm, scope));
    r.log_client_id = t->client_id;
    return r;
  }
  return t;
}

// Runs `body` only for a request authorized for `scope`.
template <class F>
http::Handler guarded(const SampleApi& api, std::string_view scope, F body) {
  return [&api, scope, body](const HttpRequest& request) -> HttpResponse {
    auto auth = authorize(api, request, scope);
    if (auto* answer = std::get_if<HttpResponse>(&auth)) return std::move(*answer);
    const auto& token = std::get<std::shared_ptr<const VerifiedToken>>(auth);
    HttpResponse r = body(request, *token);
    r.log_client_id = token->client_id;
    return no_store(std::move(r));
  };
}

HttpResponse storage_failure(const SampleApi& api, const HttpRequest& request,
                             const std::string& error) {
  api.logger.error("database call failed", {{"request_id", request.request_id}, {"error", error}});
  auto r = plain_error(503, "temporarily_unavailable", "the database is unavailable");
  r.headers.set("Retry-After", "5");
  return r;
}

json board_json(const BoardMessage& m) {
  return {{"message", m.message}, {"updated_by", m.updated_by}, {"updated_at", m.updated_at}};
}

// A JSON object body with one string member `name` of at most kMaxNoteLength characters.
std::variant<std::string, HttpResponse> text_member(const HttpRequest& request,
                                                    std::string_view name) {
  const auto type = request.headers.get("Content-Type");
  if (!type || !(type->starts_with("application/json"))) {
    return plain_error(415, "invalid_request", "send a JSON body (Content-Type: application/json)");
  }
  const json doc = json::parse(request.body, nullptr, false);
  const std::string key(name);
  if (!doc.is_object() || !doc.contains(key) || !doc[key].is_string()) {
    return plain_error(400, "invalid_request",
                       "the body must be a JSON object with a string member \"" + key + "\"");
  }
  std::string text = doc[key].get<std::string>();
  if (text.size() > kMaxNoteLength) {
    return plain_error(
        400, "invalid_request",
        "\"" + key + "\" is longer than " + std::to_string(kMaxNoteLength) + " bytes");
  }
  return text;
}

}  // namespace

void add_api_routes(http::Router& router, const SampleApi& api) {
  using http::Execution;
  using http::Method;

  // The caller's identity as the token states it, and what this service keeps about them.
  router.add(
      Method::Get, "/api/me",
      guarded(api, kReadScope,
              [&api](const HttpRequest& request, const VerifiedToken& t) -> HttpResponse {
                auto note = api.notes.note(t.subject);
                if (!note.ok()) return storage_failure(api, request, note.error());
                json doc = {
                    {"sub", t.subject},
                    {"client_id", t.client_id},
                    {"scope", t.scopes},
                    {"aud", t.audiences},
                    {"iat", unix_seconds(t.issued_at)},
                    {"exp", unix_seconds(t.expires_at)},
                    {"note", nullptr},
                };
                if (*note) {
                  doc["note"] = {{"text", (*note)->text}, {"updated_at", (*note)->updated_at}};
                }
                return HttpResponse::json(200, doc);
              }),
      Execution::Worker);

  router.add(Method::Put, "/api/me/note",
             guarded(api, kReadScope,
                     [&api](const HttpRequest& request, const VerifiedToken& t) -> HttpResponse {
                       auto text = text_member(request, "note");
                       if (auto* answer = std::get_if<HttpResponse>(&text)) return *answer;
                       auto saved = api.notes.set_note(t.subject, std::get<std::string>(text));
                       if (!saved.ok()) return storage_failure(api, request, saved.error());
                       return HttpResponse::json(
                           200,
                           {{"note", {{"text", saved->text}, {"updated_at", saved->updated_at}}}});
                     }),
             Execution::Worker);

  router.add(Method::Get, "/api/board",
             guarded(api, kReadScope,
                     [&api](const HttpRequest& request, const VerifiedToken&) -> HttpResponse {
                       auto board = api.notes.board();
                       if (!board.ok()) return storage_failure(api, request, board.error());
                       return HttpResponse::json(200, board_json(*board));
                     }),
             Execution::Worker);

  router.add(Method::Put, "/api/board",
             guarded(api, kWriteScope,
                     [&api](const HttpRequest& request, const VerifiedToken& t) -> HttpResponse {
                       auto text = text_member(request, "message");
                       if (auto* answer = std::get_if<HttpResponse>(&text)) return *answer;
                       auto saved = api.notes.set_board(t.subject, std::get<std::string>(text));
                       if (!saved.ok()) return storage_failure(api, request, saved.error());
                       return HttpResponse::json(200, board_json(*saved));
                     }),
             Execution::Worker);
}

}  // namespace keyward::rs
