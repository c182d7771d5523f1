#pragma once
// TimePoint <-> timestamptz, exactly, as integer microseconds since the Unix epoch.
// Write with kFromMicros (`TIMESTAMPTZ 'epoch' + $1::bigint * INTERVAL '1 microsecond'`),
// read with EXTRACT(EPOCH ...) * 1000000, which is numeric (exact) since PostgreSQL 14.
#include <chrono>
#include <cstdint>

#include "common/clock.h"

namespace keyward::storage::detail {

[[nodiscard]] inline std::int64_t to_micros(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

[[nodiscard]] inline TimePoint from_micros(std::int64_t micros) {
  return TimePoint(
      std::chrono::duration_cast<TimePoint::duration>(std::chrono::microseconds(micros)));
}

}  // namespace keyward::storage::detail
