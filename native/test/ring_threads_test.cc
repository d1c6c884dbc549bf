// Stress: 4 producer and 4 consumer threads through one small ring, mixing
// single, batch and blocking calls, then close. Every message is checked
// intact, seen exactly once, and in its producer's order as each consumer
// sees it; the ring is then closed and drained.
// LOOM_RING_STRESS_MESSAGES sets the total (default 4,000,000).
#include <atomic>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "ring.h"
#include "ring_test_util.h"

using loom::ring::Ring;
using loom::ring::Status;
using namespace loom_test;

namespace {

constexpr uint32_t kProducers = 4;
constexpr uint32_t kConsumers = 4;
constexpr uint32_t kCapacity = 256;
constexpr uint32_t kSlotSize = 40;
constexpr size_t kBatch = 16;

void producer(Ring ring, uint32_t id, uint32_t count) {
  uint8_t buf[kSlotSize * kBatch];
  uint32_t lens[kBatch];
  uint32_t i = 0;
  while (i < count) {
    switch (i % 3) {
      case 0: {  // non-blocking single push, retried
        const uint32_t len = encode(buf, id, i, kSlotSize);
        Status s;
        while ((s = ring.try_push(buf, len)) == Status::would_block) std::this_thread::yield();
        CORE_CHECK(s == Status::ok);
        i++;
        break;
      }
      case 1: {  // blocking single push
        const uint32_t len = encode(buf, id, i, kSlotSize);
        CORE_CHECK(ring.push_wait(buf, len, -1, 8) == Status::ok);
        i++;
        break;
      }
      default: {  // batch push: the prefix that fit is pushed, the rest retried
        size_t n = 0, off = 0;
        for (; n < kBatch && i + n < count; n++) {
          lens[n] = encode(buf + off, id, i + static_cast<uint32_t>(n), kSlotSize);
          off += lens[n];
        }
        size_t done = 0;
        off = 0;
        while (done < n) {
          Status s;
          const size_t k = ring.push_batch_wait(buf + off, lens + done, n - done, &s, -1, 8);
          CORE_CHECK(s == Status::ok && k > 0);
          for (size_t j = 0; j < k; j++) off += lens[done + j];
          done += k;
        }
        i += static_cast<uint32_t>(n);
      }
    }
  }
}

struct ConsumerStats {
  uint64_t count = 0;
  uint64_t checksum = 0;
};

void consumer(Ring ring, uint32_t id, std::atomic<uint8_t>* seen, uint32_t per_producer, ConsumerStats* stats) {
  uint8_t buf[kSlotSize * kBatch];
  uint32_t lens[kBatch];
  std::vector<int64_t> last(kProducers, -1);
  auto take = [&](const uint8_t* msg, uint32_t len) {
    const Decoded d = decode_and_verify(msg, len, kSlotSize);
    CORE_CHECK(d.producer < kProducers && d.index < per_producer);
    CORE_CHECK(static_cast<int64_t>(d.index) > last[d.producer]);  // FIFO per producer
    last[d.producer] = d.index;
    CORE_CHECK(seen[uint64_t{d.producer} * per_producer + d.index].fetch_add(1, std::memory_order_relaxed) == 0);
    stats->count++;
    stats->checksum += message_hash(d.producer, d.index);
  };
  for (uint64_t round = 0;; round++) {
    if ((round + id) % 2 == 0) {
      uint32_t len = 0;
      const Status s = ring.pop_wait(buf, sizeof buf, &len, -1, 8);
      if (s == Status::closed) return;
      CORE_CHECK(s == Status::ok);
      take(buf, len);
    } else {
      Status s;
      const size_t k = ring.pop_batch_wait(buf, sizeof buf, lens, kBatch, &s, -1, 8);
      if (s == Status::closed) return;
      CORE_CHECK(s == Status::ok && k > 0);
      size_t off = 0;
      for (size_t j = 0; j < k; j++) {
        take(buf + off, lens[j]);
        off += lens[j];
      }
    }
  }
}

}  // namespace

int main() {
  const uint64_t total = env_u64("LOOM_RING_STRESS_MESSAGES", 4000000);
  const uint32_t per_producer = static_cast<uint32_t>(total / kProducers);
  std::vector<uint64_t> storage((loom::ring::bytes_needed(kCapacity, kSlotSize) + 7) / 8);
  Ring ring;
  CORE_CHECK(Ring::create(storage.data(), storage.size() * 8, kCapacity, kSlotSize, &ring) == loom::ring::AttachError::none);

  std::unique_ptr<std::atomic<uint8_t>[]> seen(new std::atomic<uint8_t>[uint64_t{kProducers} * per_producer]);
  for (uint64_t i = 0; i < uint64_t{kProducers} * per_producer; i++) seen[i].store(0, std::memory_order_relaxed);
  std::vector<ConsumerStats> stats(kConsumers);
  std::vector<std::thread> threads;
  for (uint32_t c = 0; c < kConsumers; c++) threads.emplace_back(consumer, ring, c, seen.get(), per_producer, &stats[c]);
  std::vector<std::thread> producers;
  for (uint32_t p = 0; p < kProducers; p++) producers.emplace_back(producer, ring, p, per_producer);
  for (auto& t : producers) t.join();
  ring.close();
  for (auto& t : threads) t.join();

  uint64_t count = 0, checksum = 0, expected = 0;
  for (const auto& s : stats) {
    count += s.count;
    checksum += s.checksum;
  }
  for (uint32_t p = 0; p < kProducers; p++)
    for (uint32_t i = 0; i < per_producer; i++) expected += message_hash(p, i);
  CORE_CHECK(count == uint64_t{kProducers} * per_producer);
  CORE_CHECK(checksum == expected);
  for (uint64_t i = 0; i < count; i++) CORE_CHECK(seen[i].load() == 1);

  // After close: pushes fail with closed, pops report closed (drained).
  uint8_t b[kSlotSize] = {};
  uint32_t len = 0;
  CORE_CHECK(ring.try_push(b, 8) == Status::closed);
  CORE_CHECK(ring.try_pop(b, sizeof b, &len) == Status::closed);
  std::printf("ring_threads_test: %u producers, %u consumers, %llu messages ok\n", kProducers, kConsumers,
              static_cast<unsigned long long>(count));
  return 0;
}
