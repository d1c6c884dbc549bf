// Futex across processes: a forked child opens the segment by name (as a
// second Node process would) and plays ping-pong with the parent through a
// word in it, blocking and then spinning. Also checks that a wake from the
// child reaches a parent asleep with a timeout.
// LOOM_FUTEX_ROUNDS sets the blocking round trips (default 50,000; the spinning run does twice as many).
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "futex_pingpong.h"
#include "mapping.h"

namespace fx = loom::futex;
using loom::Mapping;

namespace {

int32_t* word_at(Mapping& m, size_t index) { return reinterpret_cast<int32_t*>(m.data()) + index; }

void run(const std::string& name, int rounds) {
  Mapping m = Mapping::shm_create(name, 4096);
  const pid_t child = fork();
  CORE_CHECK(child >= 0);
  if (child == 0) {
    Mapping mine = Mapping::shm_open(name, 4096, false);
    loom_test::ping_pong(word_at(mine, 0), 1, rounds, 0);
    loom_test::ping_pong(word_at(mine, 16), 1, rounds * 2, 50);
    // The last word: wake the parent, which sleeps with a timeout.
    __atomic_store_n(word_at(mine, 32), 1, __ATOMIC_SEQ_CST);
    fx::wake(word_at(mine, 32), INT32_MAX);
    std::_Exit(0);
  }
  auto t0 = std::chrono::steady_clock::now();
  loom_test::ping_pong(word_at(m, 0), 0, rounds, 0);
  auto t1 = std::chrono::steady_clock::now();
  loom_test::ping_pong(word_at(m, 16), 0, rounds * 2, 50);
  auto t2 = std::chrono::steady_clock::now();
  for (;;) {
    const fx::WaitResult r = fx::wait(word_at(m, 32), 0, 10.0);
    CORE_CHECK(r != fx::WaitResult::kTimedOut);
    if (__atomic_load_n(word_at(m, 32), __ATOMIC_SEQ_CST) == 1) break;
  }
  int status = 0;
  CORE_CHECK(waitpid(child, &status, 0) == child);
  CORE_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  CORE_CHECK(*word_at(m, 0) == 2 * rounds && *word_at(m, 16) == 4 * rounds);
  std::printf("futex_fork_test: ok (%d blocking round trips in %.2f s, %d spinning in %.2f s)\n", rounds,
              std::chrono::duration<double>(t1 - t0).count(), rounds * 2,
              std::chrono::duration<double>(t2 - t1).count());
}

}  // namespace

int main() {
  const std::string name = Mapping::shm_random_name();
  try {
    run(name, loom_test::rounds_from_env("LOOM_FUTEX_ROUNDS", 50000));
  } catch (...) {
    Mapping::shm_unlink(name);
    throw;
  }
  Mapping::shm_unlink(name);
  return 0;
}
