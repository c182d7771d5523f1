#include "grants/client_auth.h"

#include "common/crypto.h"
#include "grants/client_secret.h"
#include "grants/client_storage_failure.h"
#include "grants/wire.h"

namespace keyward::grants {

namespace {

// RFC 6749 §5.2's own example of invalid_client; the same words for an unknown client, a
// wrong secret, a missing one and a public client presenting one, so the answer tells a
// prober nothing (the reason goes to the log).
constexpr const char* kFailed = "client authentication failed";

std::string_view method_name(ClientAuthInput::Method method) {
  switch (method) {
    case ClientAuthInput::Method::Basic:
      return wire::kClientSecretBasic;
    case ClientAuthInput::Method::Post:
      return wire::kClientSecretPost;
    case ClientAuthInput::Method::None:
      break;
  }
  return wire::kAuthMethodNone;
}

}  // namespace

ClientAuthenticator::ClientAuthenticator(ClientCache& clients, std::string secret_key,
                                         audit::EventSink& events)
    : clients_(clients), secret_key_(std::move(secret_key)), events_(events) {}

// The claimed id only when it names a client: an unknown one may be anything a prober
// typed (even a secret pasted into the wrong field).
void ClientAuthenticator::report_failure(const ClientAuthInput& input, bool known,
                                         std::string_view reason, const RequestMeta& meta,
                                         std::string_view endpoint) const {
  audit::Event event;
  event.type = audit::EventType::ClientAuthFailed;
  if (known) event.client_id = input.client_id;
  event.address = meta.client_ip;
  event.request_id = meta.request_id;
  event.detail = {{"reason", reason}, {"endpoint", endpoint}};
  events_.record(std::move(event));
}

OAuthResult<Client> ClientAuthenticator::authenticate(const ClientAuthInput& input,
                                                      const RequestMeta& meta,
                                                      std::string_view endpoint) {
  const bool basic = input.method == ClientAuthInput::Method::Basic;
  bool known = false;
  auto failed = [&](std::string_view reason, std::string log) {
    report_failure(input, known, reason, meta, endpoint);
    auto e = OAuthError::invalid_client(kFailed, std::move(log));
    e.basic_auth_used = basic;
    return e;
  };
  if (input.client_id.empty()) return err(failed("no_client_id", "no client_id"));

  auto found = clients_.find(input.client_id);
  if (!found.ok()) return err(storage_failure(found.error(), "client lookup"));
  const std::shared_ptr<const ClientEntry>& entry = found.value();
  known = entry != nullptr;

  if (input.method == ClientAuthInput::Method::None) {
    if (!entry) return err(failed("unknown_client", "unknown client " + input.client_id));
    // RFC 6749 §2.3.1: a confidential client must authenticate.
    if (entry->client.confidential) {
      return err(failed("no_secret", "confidential client " + input.client_id + " sent no secret"));
    }
    return entry->client;
  }

  // One HMAC whatever happens next, so an unknown client costs what a wrong secret costs
  // (DESIGN.md "Secrets and passwords").
  const std::string presented = client_secret_hmac(secret_key_, input.secret.value_or(""));
  if (!entry) return err(failed("unknown_client", "unknown client " + input.client_id));
  if (!entry->client.confidential || !entry->secret_hmac) {
    return err(
        failed("unexpected_secret", "public client " + input.client_id + " presented a secret"));
  }
  if (!equal_constant_time(presented, *entry->secret_hmac)) {
    return err(failed("wrong_secret", "wrong secret for client " + input.client_id));
  }
  // RFC 6749 §2.3: the client uses the method it registered (RFC 7591
  // token_endpoint_auth_method). Only a caller holding the secret gets this far, so
  // naming the method reveals nothing to a prober.
  const std::string_view used = method_name(input.method);
  if (used != entry->client.token_endpoint_auth_method) {
    report_failure(input, known, "wrong_method", meta, endpoint);
    auto e = OAuthError::invalid_client(
        "client must authenticate with " + entry->client.token_endpoint_auth_method,
        "client " + input.client_id + " used " + std::string(used));
    e.basic_auth_used = basic;
    return err(std::move(e));
  }
  return entry->client;
}

}  // namespace keyward::grants
