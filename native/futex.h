// Futex wait / wake on a 32-bit word in shared memory, across processes.
//
// Every operation here uses the shared (not FUTEX_PRIVATE_FLAG) form, so a
// word inside a MAP_SHARED mapping can be waited on in one process and woken
// from another. Words in private memory (a SharedArrayBuffer) work too, among
// the threads of one process.
//
// WaitSet is what the addon's async wait stands on: a few dedicated threads,
// each sleeping in one futex_waitv(2) call (Linux 5.16+) over up to 127
// pending waits plus one control word that re-arms it when a wait is added or
// cancelled. Many concurrent waits therefore cost a few threads, never one
// libuv pool thread each. Nothing here knows about JavaScript: results leave
// through a plain callback (on a waiter thread) carrying a token.
//
// Like FUTEX_WAIT, a WaitSet wait may settle 'ok' spuriously, so callers
// re-check the word and wait again. futex_waitv reports one woken entry per
// return, while a wake racing it may have been consumed by another entry of
// the same call; so that no wake is ever lost, every wait of a call that was
// woken settles 'ok' (a word that no longer holds `expected` settles at once).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace loom {
namespace futex {

// Same meaning as Atomics.wait's results.
enum class WaitResult : int {
  kOk = 0,        // woken (or the word changed while we slept)
  kNotEqual = 1,  // the word did not hold `expected` when the wait began
  kTimedOut = 2,  // the timeout passed
};

// A negative timeout means "no timeout".
constexpr double kForever = -1.0;

// Sleeps while *word == expected, until woken or the timeout passes.
// Interrupted sleeps (EINTR) resume with the time that is left.
WaitResult wait(const int32_t* word, int32_t expected, double timeout_seconds);

// Spins up to spin_microseconds re-reading the word (cheap when the other
// side is running on another core and answers fast), then sleeps like wait().
WaitResult spin_wait(const int32_t* word, int32_t expected, double timeout_seconds, double spin_microseconds);

// Spins up to spin_microseconds re-reading the word; true when it changed.
// Never sleeps (the async wait spins on the JS thread before going off it).
bool spin_until_changed(const int32_t* word, int32_t expected, double spin_microseconds);

// Wakes up to `count` waiters of the word (INT32_MAX for all); returns how many woke.
int wake(const int32_t* word, int count);

// True when the kernel has futex_waitv (needed by WaitSet).
bool has_waitv();

// Many waits at once, off the caller's thread. Thread-safe.
class WaitSet {
 public:
  // Called on a waiter thread, once for each wait that was added and not
  // cancelled. Must not block for long; the addon queues it to the JS thread.
  // `error` is 0, or the errno of a futex_waitv failure that ended the wait
  // (then `result` means nothing).
  using Done = std::function<void(uint64_t token, WaitResult result, int error)>;

  explicit WaitSet(Done done, size_t max_threads = 32);
  ~WaitSet();  // stops and joins the threads; waits still pending get no callback
  WaitSet(const WaitSet&) = delete;
  WaitSet& operator=(const WaitSet&) = delete;

  // Starts waiting for *word != expected or a wake. The caller keeps the word's
  // memory mapped until the callback for `token` ran or cancel() returned true.
  // Throws std::runtime_error when max_threads * 127 waits are already pending.
  void add(uint64_t token, const int32_t* word, int32_t expected, double timeout_seconds);

  // Removes a pending wait; true if it was still pending (then no callback
  // comes and no waiter thread touches the word any more).
  bool cancel(uint64_t token);

  // Stops every thread, dropping pending waits (no callbacks). Idempotent.
  void stop();

  size_t pending() const;
  size_t threads() const;

  static constexpr size_t kWaitsPerThread = 127;  // futex_waitv takes 128 words, one is the control word

 private:
  struct Shard;
  void run(Shard* shard);

  Done done_;
  size_t max_threads_;
  mutable std::mutex mutex_;  // guards shards_ (the list itself); each shard has its own lock
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<bool> stopping_{false};
};

}  // namespace futex
}  // namespace loom
