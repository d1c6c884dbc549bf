// The ping-pong both futex tests run: two sides take turns bumping one word
// (odd values are the pinger's, even the ponger's), waking the other and
// sleeping until it answers. Any lost wake-up hangs the test (ctest's timeout
// catches it); any torn turn fails a CHECK.
#pragma once

#include <cstdint>

#include "core_check.h"
#include "futex.h"

namespace loom_test {

inline void await_value(int32_t* word, int32_t target, double spin_us) {
  for (;;) {
    const int32_t v = __atomic_load_n(word, __ATOMIC_SEQ_CST);
    if (v == target) return;
    CORE_CHECK(v < target);
    if (spin_us > 0) loom::futex::spin_wait(word, v, loom::futex::kForever, spin_us);
    else loom::futex::wait(word, v, loom::futex::kForever);
  }
}

// side 0 pings (writes 2i+1), side 1 pongs (writes 2i+2).
inline void ping_pong(int32_t* word, int side, int rounds, double spin_us) {
  for (int i = 0; i < rounds; i++) {
    if (side == 0) {
      __atomic_store_n(word, 2 * i + 1, __ATOMIC_SEQ_CST);
      loom::futex::wake(word, 1);
      await_value(word, 2 * i + 2, spin_us);
    } else {
      await_value(word, 2 * i + 1, spin_us);
      __atomic_store_n(word, 2 * i + 2, __ATOMIC_SEQ_CST);
      loom::futex::wake(word, 1);
    }
  }
}

inline int rounds_from_env(const char* var, int fallback) {
  const char* v = std::getenv(var);
  return v ? std::atoi(v) : fallback;
}

}  // namespace loom_test
