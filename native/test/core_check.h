// CHECK macros for the core's plain C++ tests (mapping, futex): abort with the
// failed condition so ctest reports it, under any sanitizer.
#pragma once

#include <cstdio>
#include <cstdlib>

#define CORE_CHECK(cond)                                                              \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                   \
    }                                                                                 \
  } while (0)

// Runs `expr` and checks it throws exception type E, binding it to `e` for `then`.
#define CORE_CHECK_THROWS(E, expr, then)                                                      \
  do {                                                                                        \
    bool thrown_ = false;                                                                     \
    try {                                                                                     \
      (void)(expr);                                                                           \
    } catch (const E& e) {                                                                    \
      thrown_ = true;                                                                         \
      then;                                                                                   \
    }                                                                                         \
    if (!thrown_) {                                                                           \
      std::fprintf(stderr, "%s:%d: expected %s from %s\n", __FILE__, __LINE__, #E, #expr); \
      std::abort();                                                                           \
    }                                                                                         \
  } while (0)
