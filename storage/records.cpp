#include "storage/records.h"

namespace keyward::storage {

std::string_view to_string(KeyState state) {
  switch (state) {
    case KeyState::Next:
      return "next";
    case KeyState::Active:
      return "active";
    case KeyState::Retired:
      return "retired";
  }
  return "retired";
}

std::optional<KeyState> parse_key_state(std::string_view text) {
  if (text == "next") return KeyState::Next;
  if (text == "active") return KeyState::Active;
  if (text == "retired") return KeyState::Retired;
  return std::nullopt;
}

}  // namespace keyward::storage
