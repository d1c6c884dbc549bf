// Two-process stress: the ring lives in a MAP_SHARED mapping; forked children
// (2 producers, 2 consumers) move LOOM_RING_FORK_MESSAGES messages (default
// 2,000,000) through it with blocking single and batch calls, sleeping on
// the ring's process-shared futexes. Consumers report counts and checksums in
// the same mapping; the parent closes the ring once the producers exit.
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <vector>

#include "ring.h"
#include "ring_test_util.h"

using loom::ring::Ring;
using loom::ring::Status;
using namespace loom_test;

namespace {

constexpr uint32_t kProducers = 2;
constexpr uint32_t kConsumers = 2;
constexpr uint32_t kCapacity = 1024;
constexpr uint32_t kSlotSize = 24;
constexpr size_t kBatch = 32;

struct Report {
  std::atomic<uint64_t> count;
  std::atomic<uint64_t> checksum;
  std::atomic<uint32_t> done;
};

[[noreturn]] void run_producer(Ring ring, uint32_t id, uint32_t count) {
  uint8_t buf[kSlotSize * kBatch];
  uint32_t lens[kBatch];
  uint32_t i = 0;
  while (i < count) {
    if (i % 2) {
      const uint32_t len = encode(buf, id, i, kSlotSize);
      CORE_CHECK(ring.push_wait(buf, len) == Status::ok);
      i++;
      continue;
    }
    size_t n = 0, off = 0;
    for (; n < kBatch && i + n < count; n++) {
      lens[n] = encode(buf + off, id, i + static_cast<uint32_t>(n), kSlotSize);
      off += lens[n];
    }
    size_t done = 0;
    off = 0;
    while (done < n) {
      Status s;
      const size_t k = ring.push_batch_wait(buf + off, lens + done, n - done, &s);
      CORE_CHECK(s == Status::ok);
      for (size_t j = 0; j < k; j++) off += lens[done + j];
      done += k;
    }
    i += static_cast<uint32_t>(n);
  }
  _exit(0);
}

[[noreturn]] void run_consumer(Ring ring, uint32_t per_producer, Report* report) {
  uint8_t buf[kSlotSize * kBatch];
  uint32_t lens[kBatch];
  std::vector<int64_t> last(kProducers, -1);
  uint64_t count = 0, checksum = 0;
  auto take = [&](const uint8_t* msg, uint32_t len) {
    const Decoded d = decode_and_verify(msg, len, kSlotSize);
    CORE_CHECK(d.producer < kProducers && d.index < per_producer);
    CORE_CHECK(static_cast<int64_t>(d.index) > last[d.producer]);
    last[d.producer] = d.index;
    count++;
    checksum += message_hash(d.producer, d.index);
  };
  for (uint64_t round = 0;; round++) {
    if (round % 2) {
      uint32_t len = 0;
      const Status s = ring.pop_wait(buf, sizeof buf, &len);
      if (s == Status::closed) break;
      CORE_CHECK(s == Status::ok);
      take(buf, len);
    } else {
      Status s;
      const size_t k = ring.pop_batch_wait(buf, sizeof buf, lens, kBatch, &s);
      if (s == Status::closed) break;
      CORE_CHECK(s == Status::ok);
      size_t off = 0;
      for (size_t j = 0; j < k; j++) {
        take(buf + off, lens[j]);
        off += lens[j];
      }
    }
  }
  report->count.store(count);
  report->checksum.store(checksum);
  report->done.store(1);
  _exit(0);
}

bool exited_cleanly(pid_t pid) {
  int status = 0;
  CORE_CHECK(waitpid(pid, &status, 0) == pid);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "child %d failed (status 0x%x)\n", static_cast<int>(pid), status);
    return false;
  }
  return true;
}

}  // namespace

int main() {
  const uint64_t total = env_u64("LOOM_RING_FORK_MESSAGES", 2000000);
  const uint32_t per_producer = static_cast<uint32_t>(total / kProducers);
  const size_t ring_bytes = loom::ring::bytes_needed(kCapacity, kSlotSize);
  const size_t bytes = ring_bytes + 4096;
  void* mem = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  CORE_CHECK(mem != MAP_FAILED);
  Ring ring;
  CORE_CHECK(Ring::create(mem, ring_bytes, kCapacity, kSlotSize, &ring) == loom::ring::AttachError::none);
  auto* reports = reinterpret_cast<Report*>(static_cast<uint8_t*>(mem) + ((ring_bytes + 63) & ~size_t{63}));
  for (uint32_t c = 0; c < kConsumers; c++) new (&reports[c]) Report{{0}, {0}, {0}};

  std::vector<pid_t> consumers, producers;
  for (uint32_t c = 0; c < kConsumers; c++) {
    const pid_t pid = fork();
    CORE_CHECK(pid >= 0);
    if (pid == 0) {
      Ring mine;  // attach afresh, as another process would
      CORE_CHECK(Ring::attach(mem, ring_bytes, &mine) == loom::ring::AttachError::none);
      run_consumer(mine, per_producer, &reports[c]);
    }
    consumers.push_back(pid);
  }
  for (uint32_t p = 0; p < kProducers; p++) {
    const pid_t pid = fork();
    CORE_CHECK(pid >= 0);
    if (pid == 0) {
      Ring mine;
      CORE_CHECK(Ring::attach(mem, ring_bytes, &mine) == loom::ring::AttachError::none);
      run_producer(mine, p, per_producer);
    }
    producers.push_back(pid);
  }
  bool ok = true;
  for (pid_t pid : producers) ok = exited_cleanly(pid) && ok;
  ring.close();
  for (pid_t pid : consumers) ok = exited_cleanly(pid) && ok;
  CORE_CHECK(ok);

  uint64_t count = 0, checksum = 0, expected = 0;
  for (uint32_t c = 0; c < kConsumers; c++) {
    CORE_CHECK(reports[c].done.load() == 1);
    count += reports[c].count.load();
    checksum += reports[c].checksum.load();
  }
  for (uint32_t p = 0; p < kProducers; p++)
    for (uint32_t i = 0; i < per_producer; i++) expected += message_hash(p, i);
  CORE_CHECK(count == uint64_t{kProducers} * per_producer);
  CORE_CHECK(checksum == expected);
  munmap(mem, bytes);
  std::printf("ring_fork_test: %u producer and %u consumer processes, %llu messages ok\n", kProducers, kConsumers,
              static_cast<unsigned long long>(count));
  return 0;
}
