#include "metrics/event_counter.h"

namespace keyward::metrics {

namespace {
constexpr std::string_view kEventsHelp =
    "Audit events recorded, by type (docs/observability.md lists the types).";
constexpr std::string_view kTokensHelp = "Tokens issued by the token endpoint, by grant type.";
}  // namespace

EventCounter::EventCounter(Registry& registry, const std::vector<std::string>& grant_types) {
  for (const auto type : audit::all_types()) {
    const auto index = static_cast<size_t>(type);
    if (by_type_.size() <= index) by_type_.resize(index + 1, nullptr);
    by_type_[index] = &registry.counter("keyward_events_total", kEventsHelp,
                                        {{"type", std::string(audit::type_name(type))}});
  }
  for (const auto& grant : grant_types) {
    by_grant_.emplace_back(
        grant, &registry.counter("keyward_tokens_issued_total", kTokensHelp, {{"grant", grant}}));
  }
  other_grant_ =
      &registry.counter("keyward_tokens_issued_total", kTokensHelp, {{"grant", "other"}});
}

void EventCounter::record(audit::Event event) noexcept {
  const auto index = static_cast<size_t>(event.type);
  if (index < by_type_.size() && by_type_[index] != nullptr) by_type_[index]->inc();
  if (event.type != audit::EventType::TokenIssued) return;
  Counter* counter = other_grant_;
  if (event.detail.is_object()) {
    const auto it = event.detail.find("grant");
    if (it != event.detail.end() && it->is_string()) {
      const auto& grant = it->get_ref<const std::string&>();
      for (const auto& [name, c] : by_grant_) {
        if (name == grant) {
          counter = c;
          break;
        }
      }
    }
  }
  counter->inc();
}

}  // namespace keyward::metrics
