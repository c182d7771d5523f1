#pragma once
// The audit events as Prometheus counters: keyward_events_total{type} for every event type
// (sign-ins, failures, throttling, reuse, replays, account and client changes...) and
// keyward_tokens_issued_total{grant} from token_issued events. It sits beside the event
// writer in an audit::FanOutEventSink, so the figures and the stored events come from the
// same facts. Recording is a relaxed increment: no lock, no allocation.
#include <string>
#include <utility>
#include <vector>

#include "audit/event.h"
#include "metrics/registry.h"

namespace keyward::metrics {

class EventCounter final : public audit::EventSink {
 public:
  // Every type and every grant in `grant_types` is registered at 0, so a rate over them
  // exists before the first event; a grant not in the list is counted as "other".
  EventCounter(Registry& registry, const std::vector<std::string>& grant_types);

  void record(audit::Event event) noexcept override;

 private:
  std::vector<Counter*> by_type_;  // indexed by the EventType's value
  std::vector<std::pair<std::string, Counter*>> by_grant_;
  Counter* other_grant_ = nullptr;
};

}  // namespace keyward::metrics
