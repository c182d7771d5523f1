#include "keys/key_manager.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <stdexcept>
#include <tuple>

#include "jose/jwk.h"
#include "storage/key_repository.h"

namespace keyward::keys {

namespace {

using storage::KeyRecord;
using storage::KeyState;

// While nothing is loaded yet (database down, schema missing), try again this often.
constexpr std::chrono::milliseconds kRetryUnloaded{1000};

// The key that signs: the newest active one, in the order KeyRepository::retire_superseded
// uses, so every instance agrees even in the instant two algorithms are both active.
const KeyRecord* signing_record(const std::vector<KeyRecord>& records) {
  const KeyRecord* best = nullptr;
  for (const auto& r : records) {
    if (r.state != KeyState::Active) continue;
    if (best == nullptr || std::tie(r.activates_at, r.created_at, r.kid) >
                               std::tie(best->activates_at, best->created_at, best->kid)) {
      best = &r;
    }
  }
  return best;
}

// Everything a published key set depends on; equal signatures publish the same snapshot.
std::string signature_of(const std::vector<KeyRecord>& records) {
  std::string s;
  for (const auto& r : records) {
    s += r.kid;
    s += '|';
    s += to_string(r.state);
    s += '|';
    s += std::to_string(unix_seconds(r.activates_at));
    s += '\n';
  }
  return s;
}

int state_rank(KeyState state) {
  switch (state) {
    case KeyState::Active:
      return 0;
    case KeyState::Next:
      return 1;
    case KeyState::Retired:
      return 2;
  }
  return 3;
}

std::string storage_message(std::string_view what, const storage::StorageError& e) {
  return std::string(what) + ": " + std::string(storage::to_string(e.code)) + ": " + e.message;
}

}  // namespace

std::chrono::seconds retired_key_lifetime(std::chrono::seconds access_token_ttl,
                                          std::chrono::seconds id_token_ttl) {
  return std::max(access_token_ttl, id_token_ttl) + kRetiredKeyLeeway;
}

KeyManager::KeyManager(storage::Database& database, std::string conninfo, KeyManagerOptions options,
                       Logger& logger, audit::EventSink& events)
    : database_(database),
      conninfo_(std::move(conninfo)),
      options_([&] {
        auto o = options;
        o.master_key.clear();  // only the derived key stays in memory
        return o;
      }()),
      kek_(key_encryption_key(options.master_key)),
      logger_(logger),
      events_(events),
      clock_(options_.clock ? options_.clock : std::make_shared<SystemClock>()) {
  OPENSSL_cleanse(options.master_key.data(), options.master_key.size());
}

KeyManager::~KeyManager() {
  stop();
  OPENSSL_cleanse(kek_.data(), kek_.size());
}

std::size_t KeyManager::add_document(DocumentRenderer renderer) {
  std::lock_guard lock(wake_mutex_);
  if (started_) throw std::logic_error("KeyManager::add_document after start()");
  renderers_.push_back(std::move(renderer));
  return renderers_.size() - 1;
}

Result<Unit, std::string> KeyManager::start() {
  {
    std::lock_guard lock(wake_mutex_);
    if (started_) return Unit{};
    started_ = true;
  }
  // Notifications lost while the LISTEN connection was down are made up for by re-reading
  // after every (re)connection.
  auto listener = storage::Listener::start(
      conninfo_, {std::string(kKeysChannel)},
      [this](const std::string&, const std::string&) { wake(); }, [this] { wake(); });
  if (!listener.ok()) return err("cannot LISTEN for key changes: " + listener.error());
  listener_ = std::move(listener).value();
  thread_ = std::thread([this] { run(); });
  std::unique_lock lock(wake_mutex_);
  if (!snapshot_cv_.wait_for(lock, options_.first_load_wait, [&] { return attempted_; }) ||
      !snapshot_.load()) {
    logger_.warn("signing keys not loaded yet: /health/ready answers 503 until they are");
  }
  return Unit{};
}

void KeyManager::stop() {
  if (listener_) listener_->stop();
  {
    std::lock_guard lock(wake_mutex_);
    stopping_ = true;
  }
  wake_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void KeyManager::wake() {
  {
    std::lock_guard lock(wake_mutex_);
    dirty_ = true;
  }
  wake_cv_.notify_all();
}

void KeyManager::run() {
  for (;;) {
    const auto result = refresh();
    {
      std::lock_guard lock(wake_mutex_);
      attempted_ = true;
    }
    snapshot_cv_.notify_all();
    std::chrono::milliseconds wait = options_.reload_interval;
    if (!result.ok() && !snapshot()) wait = std::min(wait, kRetryUnloaded);
    {
      std::lock_guard lock(refresh_mutex_);
      if (next_event_) {
        // +1 ms: wake just after the event, not a hair before it.
        const auto until =
            std::chrono::duration_cast<std::chrono::milliseconds>(*next_event_ - clock_->now()) +
            std::chrono::milliseconds(1);
        wait = std::clamp(until, std::chrono::milliseconds(0), wait);
      }
    }
    std::unique_lock lock(wake_mutex_);
    wake_cv_.wait_for(lock, wait, [this] { return stopping_ || dirty_; });
    if (stopping_) return;
    dirty_ = false;
  }
}

Result<Unit, std::string> KeyManager::refresh() {
  std::lock_guard lock(refresh_mutex_);
  auto result = refresh_locked();
  if (!result.ok()) {
    report_failure(result.error());
  } else if (last_error_) {
    logger_.info("signing keys reloaded after an error");
    last_error_.reset();
  }
  return result;
}

void KeyManager::report_failure(const std::string& error) {
  // Once per distinct error, not once per retry.
  if (last_error_ == error) return;
  last_error_ = error;
  logger_.warn(snapshot() ? "signing keys not reloaded; still using the last ones"
                          : "signing keys not loaded",
               {{"error", error}});
}

Result<Unit, std::string> KeyManager::refresh_locked() {
  auto records = housekeeping(clock_->now());
  if (!records.ok()) return err(records.error());
  schedule_next_event(records.value());
  return publish(records.value());
}

Result<std::vector<KeyRecord>, std::string> KeyManager::housekeeping(TimePoint now) {
  storage::KeyRepository keys(database_);
  auto listed = keys.list();
  if (!listed.ok()) return err(storage_message("cannot list the signing keys", listed.error()));
  std::vector<KeyRecord> records = std::move(listed).value();
  bool changed = false;
  const auto relist = [&]() -> Result<Unit, std::string> {
    auto again = keys.list();
    if (!again.ok()) return err(storage_message("cannot list the signing keys", again.error()));
    records = std::move(again).value();
    return Unit{};
  };
  const auto count = [&](KeyState state) {
    return std::count_if(records.begin(), records.end(),
                         [&](const KeyRecord& r) { return r.state == state; });
  };

  // A next key whose time has come starts signing; its predecessor retires (promote_due),
  // and so does an active key of another algorithm it supersedes (retire_superseded).
  const bool due = std::any_of(records.begin(), records.end(), [&](const KeyRecord& r) {
    return r.state == KeyState::Next && r.activates_at <= now;
  });
  if (due) {
    auto changes = keys.promote_due(now, options_.keep_retired_for);
    if (!changes.ok()) return err(storage_message("cannot promote the next key", changes.error()));
    if (!changes->empty()) {
      changed = true;
      logger_.info("signing key activated",
                   {{"activated", changes->activated}, {"retired", changes->retired}});
    }
    if (auto r = relist(); !r.ok()) return err(r.error());
  }
  if (count(KeyState::Active) > 1) {
    auto retired = keys.retire_superseded(now, options_.keep_retired_for);
    if (!retired.ok()) {
      return err(storage_message("cannot retire a superseded key", retired.error()));
    }
    if (!retired->empty()) {
      changed = true;
      logger_.info("signing key superseded by another algorithm's", {{"retired", retired.value()}});
    }
    if (auto r = relist(); !r.ok()) return err(r.error());
  }
  // Removed once every token it signed has expired (delete_after, set at retirement).
  const bool expired = std::any_of(records.begin(), records.end(), [&](const KeyRecord& r) {
    return r.state == KeyState::Retired && r.delete_after && *r.delete_after <= now;
  });
  if (expired) {
    auto deleted = keys.delete_expired(now);
    if (!deleted.ok()) {
      return err(storage_message("cannot delete expired keys", deleted.error()));
    }
    if (deleted.value() > 0) {
      changed = true;
      logger_.info("retired signing keys deleted", {{"count", deleted.value()}});
    }
    if (auto r = relist(); !r.ok()) return err(r.error());
  }
  // The first start on an empty table (or a table left without an active key): one key that
  // signs at once. insert_exclusive makes instances starting together create one key, not
  // one each; the losers read the winner's.
  if (count(KeyState::Active) == 0) {
    const auto first =
        generate_key_record(kek_, options_.first_key_alg, KeyState::Active, now, now);
    auto inserted = keys.insert_exclusive(first);
    if (!inserted.ok()) {
      return err(storage_message("cannot store the first signing key", inserted.error()));
    }
    if (inserted.value()) {
      changed = true;
      logger_.info("generated the first signing key", {{"kid", first.kid}, {"alg", first.alg}});
      report_key(first.kid, first.alg, "first_key");
    }
    if (auto r = relist(); !r.ok()) return err(r.error());
  }
  // Scheduled rotation: once the signing key has signed for interval - delay, a next key is
  // published so that it signs from activates_at + interval on. insert_exclusive again keeps
  // instances that reach this moment together to one new key.
  if (options_.rotation_interval.count() > 0 && count(KeyState::Next) == 0) {
    if (const auto* signing = signing_record(records);
        signing != nullptr &&
        now >= signing->activates_at + options_.rotation_interval - options_.publication_delay) {
      const auto alg = jose::parse_alg(signing->alg).value_or(options_.first_key_alg);
      auto rotated = rotate_signing_key(database_, kek_, alg, now, options_.publication_delay);
      if (!rotated.ok()) return err("scheduled rotation failed: " + rotated.error());
      if (rotated->created) {
        logger_.info("scheduled rotation: next signing key published",
                     {{"kid", rotated->key.kid},
                      {"alg", rotated->key.alg},
                      {"activates_at", format_utc_time(rotated->key.activates_at)}});
        report_key(rotated->key.kid, rotated->key.alg, "scheduled");
      }
      if (auto r = relist(); !r.ok()) return err(r.error());
    }
  }
  if (changed) {
    // Other instances re-read now instead of at their own timers; if the NOTIFY is lost
    // they still converge at the next periodic re-read.
    if (auto n = database_.notify(kKeysChannel, "changed"); !n.ok()) {
      logger_.warn("cannot NOTIFY key changes", {{"error", n.error().message}});
    }
  }
  return records;
}

void KeyManager::schedule_next_event(const std::vector<KeyRecord>& records) {
  std::optional<TimePoint> next;
  const auto consider = [&](TimePoint t) {
    if (!next || t < *next) next = t;
  };
  for (const auto& r : records) {
    if (r.state == KeyState::Next) consider(r.activates_at);
    if (r.state == KeyState::Retired && r.delete_after) consider(*r.delete_after);
  }
  if (options_.rotation_interval.count() > 0 &&
      std::none_of(records.begin(), records.end(),
                   [](const KeyRecord& r) { return r.state == KeyState::Next; })) {
    if (const auto* signing = signing_record(records)) {
      consider(signing->activates_at + options_.rotation_interval - options_.publication_delay);
    }
  }
  next_event_ = next;
}

Result<Unit, std::string> KeyManager::publish(const std::vector<KeyRecord>& records) {
  const auto signature = signature_of(records);
  if (snapshot() && signature == published_signature_) return Unit{};

  const KeyRecord* signing = signing_record(records);
  if (signing == nullptr) return err("no active signing key");

  auto snap = std::make_shared<KeySnapshot>();
  // The same key as before keeps its ready signer: no need to open it again.
  if (auto current = snapshot(); current && current->active->kid == signing->kid) {
    snap->active = current->active;
  } else {
    auto key = open_private_key(kek_, *signing);
    if (!key.ok()) return err(key.error());
    snap->active = std::make_shared<grants::SigningKey>(signing->kid, key.value());
  }

  // Active first, then next, then retired, oldest first within each: a stable order.
  std::vector<const KeyRecord*> ordered;
  ordered.reserve(records.size());
  for (const auto& r : records) ordered.push_back(&r);
  std::stable_sort(ordered.begin(), ordered.end(), [](const KeyRecord* a, const KeyRecord* b) {
    return state_rank(a->state) < state_rank(b->state);
  });
  std::vector<jose::Jwk> jwks;
  std::vector<std::string> skipped;
  for (const auto* r : ordered) {
    try {
      auto jwk = jose::Jwk::from_json(nlohmann::json::parse(r->public_jwk));
      if (jwk.ok() && jwk->kid() == r->kid) {
        jwks.push_back(std::move(jwk).value());
        continue;
      }
    } catch (const nlohmann::json::exception&) {
    }
    skipped.push_back(r->kid);
  }
  if (!skipped.empty()) logger_.error("unusable public JWK; not published", {{"kids", skipped}});
  auto published = std::make_shared<const jose::Jwks>(jose::Jwks::from_keys(std::move(jwks)));
  snap->jwks_json = published->to_public_json();
  KeySetInfo info{*published, {}};
  for (const auto alg : jose::kAllAlgs) {
    const auto name = jose::alg_name(alg);
    if (std::any_of(records.begin(), records.end(), [&](const KeyRecord& r) {
          return r.state != KeyState::Retired && r.alg == name;
        })) {
      info.signing_algs.push_back(alg);
    }
  }
  for (const auto& render : renderers_) snap->documents.push_back(render(info));
  snap->published = std::move(published);
  snap->version = ++version_;
  snap->active_created_at = signing->created_at;
  snap->published_at = clock_->now();

  std::vector<std::string> kids;
  for (const auto& k : snap->published->keys()) kids.push_back(k.kid());
  logger_.info("signing keys loaded", {{"active", snap->active->kid},
                                       {"alg", jose::alg_name(snap->active->alg)},
                                       {"published", kids},
                                       {"version", snap->version}});
  {
    std::lock_guard lock(wake_mutex_);
    snapshot_.store(std::move(snap));
  }
  snapshot_cv_.notify_all();
  published_signature_ = signature;
  return Unit{};
}

void KeyManager::report_key(const std::string& kid, const std::string& alg,
                            std::string_view reason) {
  audit::Event event;
  event.type = audit::EventType::KeyRotated;
  event.actor = "system";
  event.detail = {{"kid", kid}, {"alg", alg}, {"reason", reason}};
  events_.record(std::move(event));
}

Result<RotationOutcome, std::string> KeyManager::rotate(std::optional<jose::Alg> alg) {
  const auto current = snapshot();
  const auto chosen = alg ? *alg : (current ? current->active->alg : options_.first_key_alg);
  auto outcome =
      rotate_signing_key(database_, kek_, chosen, clock_->now(), options_.publication_delay);
  if (outcome.ok()) wake();
  return outcome;
}

std::optional<std::string> KeyManager::not_ready_reason() const {
  if (snapshot()) return std::nullopt;
  return std::string("signing keys not loaded");
}

bool KeyManager::wait_until_loaded(std::chrono::milliseconds timeout) const {
  return wait_for([](const KeySnapshot&) { return true; }, timeout);
}

bool KeyManager::wait_for(const std::function<bool(const KeySnapshot&)>& pred,
                          std::chrono::milliseconds timeout) const {
  std::unique_lock lock(wake_mutex_);
  return snapshot_cv_.wait_for(lock, timeout, [&] {
    const auto s = snapshot_.load();
    return s && pred(*s);
  });
}

std::shared_ptr<const grants::SigningKey> KeyManager::active() const {
  auto s = snapshot();
  return s ? s->active : nullptr;
}

std::shared_ptr<const jose::Jwks> KeyManager::published() const {
  auto s = snapshot();
  return s ? s->published : nullptr;
}

}  // namespace keyward::keys
