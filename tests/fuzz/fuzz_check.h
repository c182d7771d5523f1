#pragma once
// An invariant of a fuzz target: on failure, say which one and abort, so libFuzzer records the
// input as a crash (assert() would vanish under NDEBUG in RelWithDebInfo).
#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                                                \
  do {                                                                                       \
    if (!(condition)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                          \
    }                                                                                        \
  } while (false)
