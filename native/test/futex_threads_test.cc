// Futex between threads of one process: wait results (not-equal, timed-out,
// ok), wake counts, and a blocking and a spinning ping-pong.
// LOOM_FUTEX_ROUNDS sets the blocking round trips (default 50,000; the spinning run does twice as many).
#include <chrono>
#include <thread>
#include <vector>

#include "futex_pingpong.h"

using loom::futex::WaitResult;
namespace fx = loom::futex;

namespace {

void results() {
  alignas(4) int32_t word = 0;
  CORE_CHECK(fx::wait(&word, 1, 1.0) == WaitResult::kNotEqual);
  CORE_CHECK(fx::wait(&word, 0, 0) == WaitResult::kTimedOut);
  CORE_CHECK(fx::wait(&word, 1, 0) == WaitResult::kNotEqual);
  auto t0 = std::chrono::steady_clock::now();
  CORE_CHECK(fx::wait(&word, 0, 0.05) == WaitResult::kTimedOut);
  CORE_CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(50));
  t0 = std::chrono::steady_clock::now();
  CORE_CHECK(fx::spin_wait(&word, 0, 0.02, 5) == WaitResult::kTimedOut);
  CORE_CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(20));
  CORE_CHECK(fx::spin_wait(&word, 3, 1.0, 5) == WaitResult::kNotEqual);
  CORE_CHECK(fx::wake(&word, 10) == 0);
  CORE_CHECK(!fx::spin_until_changed(&word, 0, 2));
}

void wake_counts() {
  alignas(4) int32_t word = 0;
  std::vector<std::thread> sleepers;
  for (int i = 0; i < 3; i++) sleepers.emplace_back([&] { CORE_CHECK(fx::wait(&word, 0, 10.0) == WaitResult::kOk); });
  int woken = 0;
  // Each wake(…, 1) reports 1 only for a thread that was really asleep.
  while (woken < 3) {
    const int n = fx::wake(&word, 1);
    CORE_CHECK(n == 0 || n == 1);
    woken += n;
    if (n == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  for (auto& t : sleepers) t.join();
  CORE_CHECK(fx::wake(&word, INT32_MAX) == 0);
}

void wake_from_another_thread() {
  alignas(4) int32_t word = 0;
  std::thread waker([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    __atomic_store_n(&word, 1, __ATOMIC_SEQ_CST);
    fx::wake(&word, INT32_MAX);
  });
  const WaitResult r = fx::wait(&word, 0, 5.0);
  CORE_CHECK(r == WaitResult::kOk || r == WaitResult::kNotEqual);
  CORE_CHECK(__atomic_load_n(&word, __ATOMIC_SEQ_CST) == 1);
  waker.join();
}

void ping_pong_threads(int rounds, double spin_us) {
  alignas(64) int32_t word = 0;
  std::thread pong([&] { loom_test::ping_pong(&word, 1, rounds, spin_us); });
  loom_test::ping_pong(&word, 0, rounds, spin_us);
  pong.join();
  CORE_CHECK(word == 2 * rounds);
}

}  // namespace

int main() {
  results();
  wake_counts();
  wake_from_another_thread();
  const int rounds = loom_test::rounds_from_env("LOOM_FUTEX_ROUNDS", 50000);
  auto t0 = std::chrono::steady_clock::now();
  ping_pong_threads(rounds, 0);
  auto t1 = std::chrono::steady_clock::now();
  ping_pong_threads(rounds * 2, 50);
  auto t2 = std::chrono::steady_clock::now();
  std::printf("futex_threads_test: ok (%d blocking round trips in %.2f s, %d spinning in %.2f s)\n", rounds,
              std::chrono::duration<double>(t1 - t0).count(), rounds * 2,
              std::chrono::duration<double>(t2 - t1).count());
  return 0;
}
