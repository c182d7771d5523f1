#pragma once
// The signing keys of a running instance (DESIGN.md "Keys"): the managed
// implementation of grants::SigningKeys.
//
// It keeps one immutable snapshot (the active key ready to sign, the published JWKS, and the
// JWKS and discovery JSON already serialised) and swaps it atomically when the keys change, so
// a request reads one shared_ptr and never waits for a reload. It re-reads the keys when
// another instance NOTIFYs keyward_keys, whenever its LISTEN connection (re)connects, and every
// reload_interval as a backstop for lost notifications. It also does the housekeeping every
// instance may do, each step safe to run on many instances at once: the first key on an empty
// table, promotion of a next key once its activates_at passes, retirement of a key superseded
// by another algorithm's, deletion of retired keys once no token they signed can still be
// valid, and scheduled rotation.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "audit/event.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/result.h"
#include "grants/signing_keys.h"
#include "jose/alg.h"
#include "jose/jwks.h"
#include "keys/key_store.h"
#include "storage/database.h"
#include "storage/listener.h"
#include "storage/records.h"

namespace keyward::keys {

// What a request needs, built once per key change.
struct KeySnapshot {
  std::shared_ptr<const grants::SigningKey> active;  // never null
  std::shared_ptr<const jose::Jwks> published;       // next, active and retired keys
  std::string jwks_json;                             // {"keys":[…]}, public members only
  std::vector<std::string> documents;                // one per KeyManager::add_document()
  std::uint64_t version = 0;                         // 1, 2, … per swap in this process
  TimePoint active_created_at{};  // when the active key was generated (for its age)
  TimePoint published_at{};       // when this snapshot (and its documents) was built
};

// What documents derived from the key set are rendered from.
struct KeySetInfo {
  const jose::Jwks& published;
  // The algorithms of the keys that sign now or will (active, next), each once, in
  // jose::kAllAlgs order (RS256 first).
  std::vector<jose::Alg> signing_algs;
};

// Clock skew between us and verifiers, the verifiers' own leeway, and the periodic re-read
// (an instance that missed a NOTIFY may sign with a just-retired key for that long).
inline constexpr std::chrono::seconds kRetiredKeyLeeway{120};

// How long a retired key stays published: until every token it signed can have expired
// (the longest of the access- and ID-token lifetimes) plus kRetiredKeyLeeway.
[[nodiscard]] std::chrono::seconds retired_key_lifetime(std::chrono::seconds access_token_ttl,
                                                        std::chrono::seconds id_token_ttl);

struct KeyManagerOptions {
  std::string master_key;  // 32 bytes; only the derived key-encryption key is kept
  // KEYWARD_KEY_PUBLICATION_DELAY: how long a new key is published before it signs.
  std::chrono::seconds publication_delay{3600};
  // KEYWARD_KEY_ROTATION_INTERVAL; 0 never rotates. A next key is created once the active
  // key has been active for interval - publication_delay, so each key signs for `interval`.
  std::chrono::seconds rotation_interval{0};
  // retired_key_lifetime(): from retirement to deletion.
  std::chrono::seconds keep_retired_for{600 + kRetiredKeyLeeway.count()};
  // How long start() waits for the first load attempt.
  std::chrono::milliseconds first_load_wait{5000};
  // The backstop re-read.
  std::chrono::milliseconds reload_interval{30000};
  // The algorithm of the first key on an empty table.
  jose::Alg first_key_alg = jose::Alg::RS256;
  // SystemClock when null; tests inject their own.
  std::shared_ptr<const Clock> clock;
};

class KeyManager final : public grants::SigningKeys {
 public:
  // Renders a document from a new key set (the discovery document names the signing
  // algorithms). Runs on the reload thread, once per key change.
  using DocumentRenderer = std::function<std::string(const KeySetInfo&)>;

  // conninfo is the database's, for the LISTEN connection. Nothing runs until start().
  // The keys it creates itself (the first one, scheduled rotations) are reported to
  // `events` as key_rotated by the actor "system".
  KeyManager(storage::Database& database, std::string conninfo, KeyManagerOptions options,
             Logger& logger, audit::EventSink& events);
  ~KeyManager() override;  // stop()
  KeyManager(const KeyManager&) = delete;
  KeyManager& operator=(const KeyManager&) = delete;

  // Only before start(): returns the document's index in KeySnapshot::documents.
  [[nodiscard]] std::size_t add_document(DocumentRenderer renderer);

  // Starts LISTEN keyward_keys and the reload thread, and waits (at most first_load_wait)
  // for the thread's first attempt: usually the keys are loaded (or the first one generated)
  // when it returns, so `keyward serve` is ready as soon as it listens; when the database is
  // away it returns unloaded and the thread retries every second until the load succeeds.
  // Errors: a conninfo the Listener refuses.
  [[nodiscard]] Result<Unit, std::string> start();
  // Stops the listener and the thread; the last snapshot stays readable.
  void stop();

  // One round of housekeeping and a re-read, now, on the calling thread (the reload thread
  // runs the same). The error says what failed, for logs.
  [[nodiscard]] Result<Unit, std::string> refresh();

  // `keyward keys rotate` from inside a process: a next key of alg (default: the signing
  // key's algorithm) that activates after the publication delay; NOTIFYs every instance.
  [[nodiscard]] Result<RotationOutcome, std::string> rotate(std::optional<jose::Alg> alg = {});

  // The current snapshot; nullptr until the first load succeeds. Lock-free.
  [[nodiscard]] std::shared_ptr<const KeySnapshot> snapshot() const { return snapshot_.load(); }
  // nullopt once keys are loaded, else "signing keys not loaded" (for /health/ready; the
  // cause goes to the log, not to the probe's caller).
  [[nodiscard]] std::optional<std::string> not_ready_reason() const;
  // Waits until a snapshot exists; for tests and start-up ordering.
  [[nodiscard]] bool wait_until_loaded(std::chrono::milliseconds timeout) const;

  // Waits until a snapshot satisfies pred; for tests.
  [[nodiscard]] bool wait_for(const std::function<bool(const KeySnapshot&)>& pred,
                              std::chrono::milliseconds timeout) const;

  // grants::SigningKeys
  [[nodiscard]] std::shared_ptr<const grants::SigningKey> active() const override;
  [[nodiscard]] std::shared_ptr<const jose::Jwks> published() const override;

 private:
  Result<Unit, std::string> refresh_locked();
  Result<std::vector<storage::KeyRecord>, std::string> housekeeping(TimePoint now);
  Result<Unit, std::string> publish(const std::vector<storage::KeyRecord>& records);
  void schedule_next_event(const std::vector<storage::KeyRecord>& records);
  void run();
  void wake();
  // key_rotated by "system": `reason` is "first_key" or "scheduled".
  void report_key(const std::string& kid, const std::string& alg, std::string_view reason);
  void report_failure(const std::string& error);

  storage::Database& database_;
  const std::string conninfo_;
  const KeyManagerOptions options_;
  std::string kek_;  // the key-encryption key; wiped in the destructor
  Logger& logger_;
  audit::EventSink& events_;
  std::shared_ptr<const Clock> clock_;
  std::vector<DocumentRenderer> renderers_;

  std::atomic<std::shared_ptr<const KeySnapshot>> snapshot_;

  std::mutex refresh_mutex_;  // one round at a time; guards the members below
  std::string published_signature_;
  std::optional<TimePoint> next_event_;
  std::optional<std::string> last_error_;
  std::uint64_t version_ = 0;

  mutable std::mutex wake_mutex_;
  mutable std::condition_variable wake_cv_;      // the reload thread waits here
  mutable std::condition_variable snapshot_cv_;  // wait_for() waits here
  bool dirty_ = false;
  bool attempted_ = false;  // the reload thread's first refresh() has returned
  bool stopping_ = false;
  bool started_ = false;
  std::thread thread_;
  std::unique_ptr<storage::Listener> listener_;
};

}  // namespace keyward::keys
