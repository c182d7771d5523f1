#pragma once
// Internal to storage/: TimePoint <-> timestamptz, exactly, as integer microseconds since
// the Unix epoch. Statements write a parameter with SQL_TS(n) and read a column with
// SQL_MICROS(col); EXTRACT(EPOCH ...) is numeric (exact) since PostgreSQL 14. The two are
// macros, not functions, because statements are string literals joined at compile time
// (storage/detail/statements.h); this header is included only by storage/*.cpp.
#include <chrono>
#include <cstdint>

#include "common/clock.h"

// Parameter $n (bigint microseconds) as a timestamptz.
#define SQL_TS(n) "(TIMESTAMPTZ 'epoch' + $" #n "::bigint * INTERVAL '1 microsecond')"
// The timestamptz expression `col` as bigint microseconds.
#define SQL_MICROS(col) "(EXTRACT(EPOCH FROM " col ") * 1000000)::bigint"

namespace keyward::storage::detail {

[[nodiscard]] inline std::int64_t to_micros(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

[[nodiscard]] inline TimePoint from_micros(std::int64_t micros) {
  return TimePoint(
      std::chrono::duration_cast<TimePoint::duration>(std::chrono::microseconds(micros)));
}

}  // namespace keyward::storage::detail
