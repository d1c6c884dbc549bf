// See futex.h. Linux only.
#include "futex.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <stdexcept>

#include "errors.h"

#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif
#ifndef FUTEX2_SIZE_U32
#define FUTEX2_SIZE_U32 0x02
#endif

namespace loom {
namespace futex {
namespace {

// The kernel's struct futex_waitv (linux/futex.h only has it from 5.16 on).
struct WaitvEntry {
  uint64_t val;
  uint64_t uaddr;
  uint32_t flags;
  uint32_t reserved;
};

constexpr int64_t kNoDeadline = INT64_MAX;

int64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

int64_t deadline_after(double seconds) {
  if (seconds < 0 || seconds > 1e9) return kNoDeadline;
  return monotonic_ns() + int64_t(seconds * 1e9);
}

timespec to_timespec(int64_t ns) {
  timespec ts;
  ts.tv_sec = time_t(ns / 1000000000);
  ts.tv_nsec = long(ns % 1000000000);
  return ts;
}

int32_t load(const int32_t* word) { return __atomic_load_n(word, __ATOMIC_SEQ_CST); }

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

long sys_futex(const int32_t* word, int op, int32_t val, const timespec* ts, uint32_t val3) {
  return syscall(SYS_futex, word, op, val, ts, nullptr, val3);
}

}  // namespace

WaitResult wait(const int32_t* word, int32_t expected, double timeout_seconds) {
  if (timeout_seconds == 0) return load(word) != expected ? WaitResult::kNotEqual : WaitResult::kTimedOut;
  const int64_t deadline = deadline_after(timeout_seconds);
  bool first = true;
  for (;;) {
    timespec ts = to_timespec(deadline);
    // FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline, so a
    // sleep resumed after EINTR keeps the original deadline.
    long r = sys_futex(word, FUTEX_WAIT_BITSET, expected, deadline == kNoDeadline ? nullptr : &ts,
                       FUTEX_BITSET_MATCH_ANY);
    if (r == 0) return WaitResult::kOk;
    switch (errno) {
      case EAGAIN:
        // After an interrupted sleep, a changed word means we missed the wake.
        return first ? WaitResult::kNotEqual : WaitResult::kOk;
      case ETIMEDOUT:
        return WaitResult::kTimedOut;
      case EINTR:
        first = false;
        continue;
      default:
        throw SysError(errno, "futex", "");
    }
  }
}

WaitResult spin_wait(const int32_t* word, int32_t expected, double timeout_seconds, double spin_microseconds) {
  if (load(word) != expected) return WaitResult::kNotEqual;
  const int64_t start = monotonic_ns();
  int64_t spin_ns = int64_t(spin_microseconds * 1000);
  if (timeout_seconds >= 0) spin_ns = std::min<int64_t>(spin_ns, int64_t(timeout_seconds * 1e9));
  int64_t now = start;
  for (uint32_t i = 1;; i++) {
    if (load(word) != expected) return WaitResult::kOk;
    cpu_relax();
    if ((i & 63) == 0) {
      now = monotonic_ns();
      if (now - start >= spin_ns) break;
    }
  }
  double left = kForever;
  if (timeout_seconds >= 0) {
    left = timeout_seconds - double(now - start) / 1e9;
    if (left <= 0) return load(word) != expected ? WaitResult::kOk : WaitResult::kTimedOut;
  }
  WaitResult r = wait(word, expected, left);
  // The word held `expected` when we started spinning, so a change is a wake.
  return r == WaitResult::kNotEqual ? WaitResult::kOk : r;
}

bool spin_until_changed(const int32_t* word, int32_t expected, double spin_microseconds) {
  const int64_t start = monotonic_ns();
  const int64_t spin_ns = int64_t(spin_microseconds * 1000);
  for (uint32_t i = 1;; i++) {
    if (load(word) != expected) return true;
    cpu_relax();
    if ((i & 63) == 0 && monotonic_ns() - start >= spin_ns) return load(word) != expected;
  }
}

int wake(const int32_t* word, int count) {
  long r = sys_futex(word, FUTEX_WAKE, count, nullptr, 0);
  if (r < 0) throw SysError(errno, "futex", "");
  return int(r);
}

bool has_waitv() {
  static const bool available = [] {
    // Zero entries: EINVAL when the call exists, ENOSYS when it does not.
    long r = syscall(SYS_futex_waitv, nullptr, 0, 0, nullptr, CLOCK_MONOTONIC);
    return !(r < 0 && errno == ENOSYS);
  }();
  return available;
}

// One waiter thread and the waits it sleeps on.
struct WaitSet::Shard {
  struct Entry {
    uint64_t token;
    const int32_t* word;
    int32_t expected;
    int64_t deadline;
  };
  std::mutex mutex;            // guards entries; held whenever a waiter thread reads a user word
  int32_t control = 0;         // futex word bumped (atomically) to make the thread rebuild its wait list
  std::vector<Entry> entries;
  std::thread thread;

  void poke() {
    __atomic_fetch_add(&control, 1, __ATOMIC_SEQ_CST);
    sys_futex(&control, FUTEX_WAKE, 1, nullptr, 0);
  }
};

WaitSet::WaitSet(Done done, size_t max_threads) : done_(std::move(done)), max_threads_(max_threads) {}

WaitSet::~WaitSet() { stop(); }

void WaitSet::stop() {
  std::vector<std::unique_ptr<Shard>> shards;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_.store(true);
    shards.swap(shards_);
  }
  for (auto& s : shards) {
    s->poke();
    if (s->thread.joinable()) s->thread.join();
  }
}

void WaitSet::add(uint64_t token, const int32_t* word, int32_t expected, double timeout_seconds) {
  if (!has_waitv()) throw SysError(ENOSYS, "futex_waitv", "");
  Shard* target = nullptr;
  std::lock_guard<std::mutex> lock(mutex_);
  if (stopping_.load()) throw std::runtime_error("the futex wait set is stopped");
  size_t best = kWaitsPerThread;
  for (auto& s : shards_) {
    std::lock_guard<std::mutex> shard_lock(s->mutex);
    if (s->entries.size() < best) {
      best = s->entries.size();
      target = s.get();
    }
  }
  if (target == nullptr) {
    if (shards_.size() >= max_threads_) {
      throw std::runtime_error("too many concurrent futex waits (" + std::to_string(max_threads_ * kWaitsPerThread) +
                               ")");
    }
    shards_.push_back(std::make_unique<Shard>());
    target = shards_.back().get();
    target->thread = std::thread([this, target] { run(target); });
  }
  {
    std::lock_guard<std::mutex> shard_lock(target->mutex);
    target->entries.push_back({token, word, expected, deadline_after(timeout_seconds)});
  }
  target->poke();
}

bool WaitSet::cancel(uint64_t token) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& s : shards_) {
    std::unique_lock<std::mutex> shard_lock(s->mutex);
    auto it = std::find_if(s->entries.begin(), s->entries.end(), [&](const Shard::Entry& e) { return e.token == token; });
    if (it != s->entries.end()) {
      s->entries.erase(it);
      shard_lock.unlock();
      s->poke();  // drop the word from the kernel's wait list too
      return true;
    }
  }
  return false;
}

size_t WaitSet::pending() const {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t n = 0;
  for (auto& s : shards_) {
    std::lock_guard<std::mutex> shard_lock(s->mutex);
    n += s->entries.size();
  }
  return n;
}

size_t WaitSet::threads() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return shards_.size();
}

void WaitSet::run(Shard* shard) {
  std::vector<WaitvEntry> waitv;
  std::vector<uint64_t> armed;  // armed[i] is the token of waitv[i + 1]
  std::vector<std::pair<uint64_t, WaitResult>> finished;
  while (!stopping_.load()) {
    int64_t next_deadline = kNoDeadline;
    waitv.clear();
    armed.clear();
    finished.clear();
    {
      std::lock_guard<std::mutex> lock(shard->mutex);
      // Read the control word before the user words: a wait added after this
      // read changes it, so futex_waitv returns at once and we rebuild.
      const int32_t control = __atomic_load_n(&shard->control, __ATOMIC_SEQ_CST);
      waitv.push_back({uint32_t(control), reinterpret_cast<uintptr_t>(&shard->control), FUTEX2_SIZE_U32, 0});
      const int64_t now = monotonic_ns();
      auto& entries = shard->entries;
      for (size_t i = 0; i < entries.size();) {
        const auto& e = entries[i];
        // A word that no longer holds `expected` counts as woken: its wake may
        // have come before we were asleep on it, or was reported for another
        // entry (futex_waitv reports one index per return).
        WaitResult settled = load(e.word) != e.expected ? WaitResult::kOk
                             : e.deadline <= now        ? WaitResult::kTimedOut
                                                        : WaitResult(-1);
        if (settled != WaitResult(-1)) {
          finished.emplace_back(e.token, settled);
          entries[i] = entries.back();
          entries.pop_back();
          continue;
        }
        next_deadline = std::min(next_deadline, e.deadline);
        waitv.push_back({uint32_t(e.expected), reinterpret_cast<uintptr_t>(e.word), FUTEX2_SIZE_U32, 0});
        armed.push_back(e.token);
        i++;
      }
    }
    if (!finished.empty()) {
      for (auto& f : finished) done_(f.first, f.second, 0);
      continue;
    }
    timespec ts = to_timespec(next_deadline);
    long r = syscall(SYS_futex_waitv, waitv.data(), waitv.size(), 0, next_deadline == kNoDeadline ? nullptr : &ts,
                     CLOCK_MONOTONIC);
    if (r >= 1) {
      // futex_waitv reports one woken index, but a wake racing it (before the
      // kernel took this thread's entries off its queues) may have consumed
      // a wake meant for another entry, and nothing tells which. Losing a
      // wake would hang its waiter, so every wait of this call settles as
      // woken: a spurious 'ok' for some, which the futex contract allows
      // (callers re-check the word and wait again).
      {
        std::lock_guard<std::mutex> lock(shard->mutex);
        auto& entries = shard->entries;
        for (size_t i = 0; i < entries.size();) {
          if (std::find(armed.begin(), armed.end(), entries[i].token) != armed.end()) {
            finished.emplace_back(entries[i].token, WaitResult::kOk);
            entries[i] = entries.back();
            entries.pop_back();
          } else {
            i++;  // added after this call began: it was not asleep, nothing was consumed
          }
        }
      }
      for (auto& f : finished) done_(f.first, f.second, 0);
    }
    // r == 0 (control word), EAGAIN (some word changed), ETIMEDOUT, EINTR,
    // EFAULT (a word unmapped after a cancel): the next pass settles and re-arms.
    // Anything else would fail again at once: end the armed waits with it.
    if (r < 0 && errno != EAGAIN && errno != ETIMEDOUT && errno != EINTR && errno != EFAULT) {
      const int err = errno;
      std::vector<uint64_t> failed;
      {
        std::lock_guard<std::mutex> lock(shard->mutex);
        auto& entries = shard->entries;
        for (size_t i = 0; i < entries.size();) {
          if (std::find(armed.begin(), armed.end(), entries[i].token) != armed.end()) {
            failed.push_back(entries[i].token);
            entries[i] = entries.back();
            entries.pop_back();
          } else {
            i++;
          }
        }
      }
      for (uint64_t token : failed) done_(token, WaitResult::kOk, err);
    }
  }
}

}  // namespace futex
}  // namespace loom
