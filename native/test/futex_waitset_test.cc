// WaitSet, the engine of the addon's async wait: many waits on few threads
// (127 per futex_waitv call), each delivered exactly once with the right
// result; timeouts; words that changed before the thread slept; cancel;
// stopping with waits pending; and a wake racing the add, many times over.
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core_check.h"
#include "futex.h"

namespace fx = loom::futex;
using fx::WaitResult;
using namespace std::chrono_literals;

namespace {

// Collects callbacks from the waiter threads.
struct Results {
  std::mutex mutex;
  std::condition_variable cv;
  std::map<uint64_t, WaitResult> got;
  int duplicates = 0;

  fx::WaitSet::Done sink() {
    return [this](uint64_t token, WaitResult r, int error) {
      CORE_CHECK(error == 0);
      std::lock_guard<std::mutex> lock(mutex);
      if (!got.emplace(token, r).second) duplicates++;
      cv.notify_all();
    };
  }
  bool await_count(size_t n, std::chrono::milliseconds limit) {
    std::unique_lock<std::mutex> lock(mutex);
    return cv.wait_for(lock, limit, [&] { return got.size() >= n; });
  }
  size_t count() {
    std::lock_guard<std::mutex> lock(mutex);
    return got.size();
  }
};

void many_waits_few_threads() {
  Results res;
  fx::WaitSet set(res.sink());
  constexpr int kWaits = 300;
  std::vector<int32_t> words(kWaits, 0);
  for (int i = 0; i < kWaits; i++) set.add(uint64_t(i), &words[i], 0, fx::kForever);
  CORE_CHECK(set.threads() == 3);  // ceil(300 / 127)
  std::this_thread::sleep_for(20ms);
  CORE_CHECK(res.count() == 0);
  for (int i = 0; i < kWaits; i++) {
    __atomic_store_n(&words[i], 1, __ATOMIC_SEQ_CST);
    fx::wake(&words[i], 1);
  }
  CORE_CHECK(res.await_count(kWaits, 10000ms));
  std::lock_guard<std::mutex> lock(res.mutex);
  CORE_CHECK(res.duplicates == 0);
  for (auto& kv : res.got) CORE_CHECK(kv.second == WaitResult::kOk);
  CORE_CHECK(set.pending() == 0);
}

void same_word_many_waiters() {
  Results res;
  fx::WaitSet set(res.sink());
  alignas(4) int32_t word = 0;
  for (int i = 0; i < 50; i++) set.add(uint64_t(i), &word, 0, fx::kForever);
  std::this_thread::sleep_for(20ms);
  __atomic_store_n(&word, 1, __ATOMIC_SEQ_CST);
  fx::wake(&word, INT32_MAX);
  CORE_CHECK(res.await_count(50, 10000ms));
  CORE_CHECK(res.duplicates == 0);
}

// Two wake(word, 1) in a row can both hit entries of one futex_waitv call,
// which reports only one: every wait on a woken word settles, none is lost.
void repeated_single_wakes() {
  Results res;
  fx::WaitSet set(res.sink());
  alignas(4) int32_t word = 0;
  set.add(1, &word, 0, fx::kForever);
  set.add(2, &word, 0, fx::kForever);
  std::this_thread::sleep_for(20ms);
  fx::wake(&word, 1);
  fx::wake(&word, 1);
  CORE_CHECK(res.await_count(2, 5000ms));
}

void timeouts_and_changed_words() {
  Results res;
  fx::WaitSet set(res.sink());
  alignas(4) int32_t word = 0;
  alignas(4) int32_t changed = 5;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 10; i++) set.add(uint64_t(i), &word, 0, 0.05 + 0.01 * i);
  set.add(100, &changed, 4, fx::kForever);  // already different: settles as woken
  CORE_CHECK(res.await_count(11, 5000ms));
  CORE_CHECK(std::chrono::steady_clock::now() - t0 >= 140ms);
  std::lock_guard<std::mutex> lock(res.mutex);
  for (int i = 0; i < 10; i++) CORE_CHECK(res.got.at(uint64_t(i)) == WaitResult::kTimedOut);
  CORE_CHECK(res.got.at(100) == WaitResult::kOk);
}

void cancel() {
  Results res;
  fx::WaitSet set(res.sink());
  alignas(4) int32_t word = 0;
  set.add(1, &word, 0, fx::kForever);
  set.add(2, &word, 0, fx::kForever);
  CORE_CHECK(set.cancel(1));
  CORE_CHECK(!set.cancel(1));
  CORE_CHECK(!set.cancel(99));
  __atomic_store_n(&word, 1, __ATOMIC_SEQ_CST);
  fx::wake(&word, INT32_MAX);
  CORE_CHECK(res.await_count(1, 5000ms));
  std::this_thread::sleep_for(20ms);
  std::lock_guard<std::mutex> lock(res.mutex);
  CORE_CHECK(res.got.size() == 1 && res.got.count(2) == 1);
}

void stop_with_pending_waits() {
  Results res;
  alignas(4) int32_t word = 0;
  {
    fx::WaitSet set(res.sink());
    for (int i = 0; i < 200; i++) set.add(uint64_t(i), &word, 0, fx::kForever);
  }  // the destructor stops and joins; nothing is delivered
  CORE_CHECK(res.count() == 0);
  fx::WaitSet set(res.sink());
  set.stop();
  bool threw = false;
  try {
    set.add(1, &word, 0, 1.0);
  } catch (const std::runtime_error&) {
    threw = true;
  }
  CORE_CHECK(threw);
}

// A wake racing the add must never be lost: the thread re-reads the word
// after arming, and a changed word settles as woken.
void wake_races_add() {
  Results res;
  fx::WaitSet set(res.sink());
  alignas(4) int32_t word = 0;
  constexpr int kRounds = 5000;
  std::thread waker([&] {
    for (int r = 0; r < kRounds; r++) {
      while (__atomic_load_n(&word, __ATOMIC_SEQ_CST) != 2 * r + 1) std::this_thread::yield();
      __atomic_store_n(&word, 2 * r + 2, __ATOMIC_SEQ_CST);
      fx::wake(&word, INT32_MAX);
    }
  });
  uint64_t token = 0;
  for (int r = 0; r < kRounds; r++) {
    __atomic_store_n(&word, 2 * r + 1, __ATOMIC_SEQ_CST);
    // A spurious 'ok' is allowed (a late wake of the previous round can end
    // this round's wait): then the word still holds 2r+1 and, as any caller
    // must, we wait again. A lost wake shows as a wait that never ends.
    do {
      set.add(token++, &word, 2 * r + 1, fx::kForever);
      CORE_CHECK(res.await_count(size_t(token), 10000ms));
    } while (__atomic_load_n(&word, __ATOMIC_SEQ_CST) == 2 * r + 1);
  }
  waker.join();
  CORE_CHECK(res.duplicates == 0);
}

void too_many_waits() {
  Results res;
  fx::WaitSet set(res.sink(), 1);
  alignas(4) int32_t word = 0;
  for (size_t i = 0; i < fx::WaitSet::kWaitsPerThread; i++) set.add(i, &word, 0, fx::kForever);
  bool threw = false;
  try {
    set.add(1000, &word, 0, fx::kForever);
  } catch (const std::runtime_error&) {
    threw = true;
  }
  CORE_CHECK(threw);
}

}  // namespace

int main() {
  CORE_CHECK(fx::has_waitv());
  many_waits_few_threads();
  same_word_many_waiters();
  repeated_single_wakes();
  timeouts_and_changed_words();
  cancel();
  stop_with_pending_waits();
  wake_races_add();
  too_many_waits();
  std::puts("futex_waitset_test: ok");
  return 0;
}
