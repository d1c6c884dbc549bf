// Single-threaded checks of the ring's contract: geometry validation, attach
// errors, FIFO, full / empty, too-large messages, batch prefixes, wrap-around
// of the 32-bit positions, close-then-drain, and timed waits.
#include <cstdio>
#include <vector>

#include "ring.h"
#include "ring_test_util.h"

using loom::ring::AttachError;
using loom::ring::Ring;
using loom::ring::Status;

int main() {
  std::vector<uint64_t> mem(4096);
  void* base = mem.data();
  const size_t avail = mem.size() * 8;
  Ring r;
  CORE_CHECK(Ring::create(base, avail, 3, 8, &r) == AttachError::bad_geometry);   // not a power of two
  CORE_CHECK(Ring::create(base, avail, 4, 0, &r) == AttachError::bad_geometry);   // empty slots
  CORE_CHECK(Ring::create(base, 100, 4, 8, &r) == AttachError::too_small);
  CORE_CHECK(Ring::create(static_cast<char*>(base) + 4, avail, 4, 8, &r) == AttachError::misaligned);
  CORE_CHECK(Ring::attach(base, avail, &r) == AttachError::bad_magic);            // zeroed bytes
  CORE_CHECK(loom::ring::bytes_needed(4, 8) == 320 + 4 * 16);

  CORE_CHECK(Ring::create(base, avail, 4, 8, &r) == AttachError::none);
  Ring a;
  CORE_CHECK(Ring::attach(base, avail, &a) == AttachError::none);
  CORE_CHECK(a.capacity() == 4 && a.slot_size() == 8);
  CORE_CHECK(Ring::attach(base, 320 + 4 * 16 - 1, &a) == AttachError::too_small);

  uint8_t msg[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  uint8_t out[16];
  uint32_t len = 0;
  CORE_CHECK(r.try_pop(out, sizeof out, &len) == Status::would_block);
  CORE_CHECK(r.try_push(msg, 9) == Status::too_large);
  // Wrap the positions many times over (2^32 / 2 / 4 laps would take long;
  // start the counters near the wrap instead).
  r.header()->tail.store(0xFFFFFFF0u);
  r.header()->head.store(0xFFFFFFF0u);
  for (uint32_t i = 0; i < 4; i++) {
    const uint32_t pos = 0xFFFFFFF0u + i * 2;
    auto* s = reinterpret_cast<loom::ring::Slot*>(reinterpret_cast<uint8_t*>(base) + 320 + ((pos / 2) & 3) * 16);
    s->seq.store(pos);
  }
  for (uint32_t round = 0; round < 50; round++) {
    for (uint8_t i = 0; i < 4; i++) {
      msg[0] = static_cast<uint8_t>(round + i);
      CORE_CHECK(r.try_push(msg, i) == Status::ok);  // lengths 0..3
    }
    CORE_CHECK(r.try_push(msg, 1) == Status::would_block);
    CORE_CHECK(r.size_approx() == 4);
    for (uint8_t i = 0; i < 4; i++) {
      CORE_CHECK(r.try_pop(out, sizeof out, &len) == Status::ok);
      CORE_CHECK(len == i);
      if (i) CORE_CHECK(out[0] == static_cast<uint8_t>(round + i));
    }
    CORE_CHECK(r.try_pop(out, sizeof out, &len) == Status::would_block);
  }

  // Batch: a prefix is pushed when the ring has less room than asked.
  uint8_t data[64];
  uint32_t lens[8] = {8, 8, 8, 8, 8, 8, 8, 8};
  for (int i = 0; i < 64; i++) data[i] = static_cast<uint8_t>(i);
  Status st;
  CORE_CHECK(r.push_batch(data, lens, 3, &st) == 3 && st == Status::ok);
  CORE_CHECK(r.push_batch(data + 24, lens, 5, &st) == 1 && st == Status::ok);
  CORE_CHECK(r.push_batch(data, lens, 1, &st) == 0 && st == Status::would_block);
  uint8_t got[64];
  uint32_t glens[8];
  CORE_CHECK(r.pop_batch(got, 20, glens, 8, &st) == 2 && st == Status::ok);  // only two fit in 20 bytes
  CORE_CHECK(r.pop_batch(got + 16, 48, glens + 2, 8, &st) == 2 && st == Status::ok);
  for (int i = 0; i < 32; i++) CORE_CHECK(got[i] == i);
  CORE_CHECK(r.pop_batch(got, 64, glens, 8, &st) == 0 && st == Status::would_block);
  uint32_t big[1] = {9};
  CORE_CHECK(r.push_batch(data, big, 1, &st) == 0 && st == Status::too_large);

  // Timed waits time out.
  CORE_CHECK(r.pop_wait(out, sizeof out, &len, 2000000, 4) == Status::timed_out);
  for (int i = 0; i < 4; i++) CORE_CHECK(r.try_push(msg, 8) == Status::ok);
  CORE_CHECK(r.push_wait(msg, 8, 2000000, 4) == Status::timed_out);

  // Close: pushes fail, pops drain what is left, then report closed.
  r.close();
  CORE_CHECK(r.closed());
  CORE_CHECK(r.try_push(msg, 8) == Status::closed);
  CORE_CHECK(r.push_batch(data, lens, 2, &st) == 0 && st == Status::closed);
  for (int i = 0; i < 3; i++) CORE_CHECK(r.try_pop(out, sizeof out, &len) == Status::ok);
  CORE_CHECK(r.pop_batch(got, 64, glens, 8, &st) == 1 && st == Status::ok);
  CORE_CHECK(r.try_pop(out, sizeof out, &len) == Status::closed);
  CORE_CHECK(r.pop_wait(out, sizeof out, &len, -1, 4) == Status::closed);
  CORE_CHECK(r.pop_batch(got, 64, glens, 8, &st) == 0 && st == Status::closed);
  std::printf("ring_semantics_test ok\n");
  return 0;
}
