// The limit row of bench/futex.bench.ts: a plain C futex ping-pong between a
// parent and a forked child over MAP_SHARED memory, raw syscalls only (no
// loom code), timing every round trip.
//
//   loom_futex_pingpong [rounds=20000] [spin_us=0] [pin=0]
//
// pin=1 puts the parent on CPU 0 and the child on CPU 1, so every wake
// crosses cores (the bench pins its Node processes the same way).
// Prints one JSON line: {"rounds":N,"spin_us":S,"p50_us":..,"p99_us":..,"mean_us":..}.
// With spin_us > 0 each side re-reads the word for up to that long before
// sleeping (the "two busy processes" case).
#include <linux/futex.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

static long futex(int32_t* word, int op, int32_t val) { return syscall(SYS_futex, word, op, val, nullptr, nullptr, 0); }

static void pin_to(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0) perror("sched_setaffinity");
}

static int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// Sleeps (after an optional spin) until *word == target.
static void await_value(int32_t* word, int32_t target, int64_t spin_ns) {
  const int64_t start = spin_ns > 0 ? now_ns() : 0;
  for (unsigned i = 1;; i++) {
    const int32_t v = __atomic_load_n(word, __ATOMIC_SEQ_CST);
    if (v == target) return;
    if (spin_ns > 0 && ((i & 63) != 0 || now_ns() - start < spin_ns)) {
#if defined(__x86_64__)
      __builtin_ia32_pause();
#endif
      continue;
    }
    futex(word, FUTEX_WAIT, v);
  }
}

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 20000;
  const double spin_us = argc > 2 ? std::atof(argv[2]) : 0;
  const int64_t spin_ns = int64_t(spin_us * 1000);
  const bool pin = argc > 3 && std::atoi(argv[3]) != 0;
  auto* word = static_cast<int32_t*>(mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  if (word == MAP_FAILED) return perror("mmap"), 1;
  const int warmup = rounds / 10;
  const pid_t child = fork();
  if (child < 0) return perror("fork"), 1;
  if (child == 0) {
    if (pin) pin_to(1);
    for (int i = 0; i < warmup + rounds; i++) {
      await_value(word, 2 * i + 1, spin_ns);
      __atomic_store_n(word, 2 * i + 2, __ATOMIC_SEQ_CST);
      futex(word, FUTEX_WAKE, 1);
    }
    _exit(0);
  }
  if (pin) pin_to(0);
  std::vector<double> samples;
  samples.reserve(size_t(rounds));
  for (int i = 0; i < warmup + rounds; i++) {
    const int64_t t0 = now_ns();
    __atomic_store_n(word, 2 * i + 1, __ATOMIC_SEQ_CST);
    futex(word, FUTEX_WAKE, 1);
    await_value(word, 2 * i + 2, spin_ns);
    if (i >= warmup) samples.push_back(double(now_ns() - t0) / 1000.0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  std::sort(samples.begin(), samples.end());
  double sum = 0;
  for (double s : samples) sum += s;
  std::printf("{\"rounds\":%d,\"spin_us\":%g,\"p50_us\":%.3f,\"p99_us\":%.3f,\"mean_us\":%.3f}\n", rounds, spin_us,
              samples[samples.size() / 2], samples[samples.size() * 99 / 100], sum / double(samples.size()));
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
