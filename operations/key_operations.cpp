#include "operations/key_operations.h"

#include "common/log.h"
#include "storage/key_repository.h"

namespace keyward::operations {

std::string key_time(TimePoint t) {
  auto text = format_utc_time(t);  // 2026-01-31T12:00:00.123Z
  if (const auto dot = text.find('.'); dot != std::string::npos) text.erase(dot, 4);
  return text;
}

nlohmann::ordered_json describe_key(const storage::KeyRecord& k) {
  nlohmann::ordered_json row;
  row["kid"] = k.kid;
  row["alg"] = k.alg;
  row["state"] = storage::to_string(k.state);
  row["created"] = key_time(k.created_at);
  row["activates"] = key_time(k.activates_at);
  row["retires"] = k.retires_at ? nlohmann::ordered_json(key_time(*k.retires_at)) : nullptr;
  row["deleted_after"] =
      k.delete_after ? nlohmann::ordered_json(key_time(*k.delete_after)) : nullptr;
  return row;
}

Result<jose::Alg, OperationError> rotation_alg(std::string_view name) {
  const auto parsed = jose::parse_alg(name);
  if (!parsed) {
    return err(OperationError::invalid(
        "--alg must be RS256, ES256 or EdDSA (got '" + std::string(name) + "')", "alg"));
  }
  return *parsed;
}

KeyOperations::KeyOperations(storage::Database& database, audit::EventSink& events, Actor actor)
    : database_(database), events_(&events), actor_(std::move(actor)) {}

KeyOperations KeyOperations::acting(Actor actor) const {
  KeyOperations copy = *this;
  copy.actor_ = std::move(actor);
  return copy;
}

Result<std::vector<storage::KeyRecord>, OperationError> KeyOperations::list() {
  storage::KeyRepository repository(database_);
  auto keys = repository.list();
  if (!keys.ok()) return err(OperationError::from_storage(keys.error()));
  return std::move(keys).value();
}

// Without an algorithm, rotation keeps the one of the key that signs now.
jose::Alg KeyOperations::current_alg() {
  storage::KeyRepository repository(database_);
  auto keys = repository.list();
  const storage::KeyRecord* newest = nullptr;
  if (keys.ok()) {
    for (const auto& k : keys.value()) {
      if (k.state == storage::KeyState::Active &&
          (newest == nullptr || k.activates_at >= newest->activates_at)) {
        newest = &k;
      }
    }
  }
  if (newest == nullptr) return jose::Alg::RS256;
  return jose::parse_alg(newest->alg).value_or(jose::Alg::RS256);
}

Result<keys::RotationOutcome, OperationError> KeyOperations::rotate(
    std::string_view kek, std::optional<jose::Alg> alg, TimePoint now,
    std::chrono::seconds publication_delay) {
  const auto chosen = alg ? *alg : current_alg();
  auto outcome = keys::rotate_signing_key(database_, kek, chosen, now, publication_delay);
  if (!outcome.ok())
    return err(OperationError{OperationErrorKind::Failed, outcome.error(), {}, {}});
  if (!outcome->created) {
    const auto& key = outcome->key;
    return err(OperationError::conflict("a next " + key.alg + " key is already published and " +
                                        "waiting: " + key.kid + ", signing from " +
                                        key_time(key.activates_at) + "; nothing created"));
  }
  report(*events_, actor_, audit::EventType::KeyRotated, "", "",
         {{"kid", outcome->key.kid},
          {"alg", outcome->key.alg},
          {"activates_at", key_time(outcome->key.activates_at)}});
  return std::move(outcome).value();
}

}  // namespace keyward::operations
