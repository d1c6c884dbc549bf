// A bounded multi-producer multi-consumer ring of byte messages in shared
// memory. Plain C++17 (plus two Linux futex syscalls); knows nothing of Node.
//
// The algorithm is Dmitry Vyukov's bounded MPMC queue
// (https://www.1024cores.net/home/lock-free-algorithms/queues/bounded-mpmc-queue):
// every slot carries a sequence number that says whose turn it is, so a
// producer and a consumer only ever contend on their own counter (tail or
// head) and on the one slot they claimed. Changes to the textbook version:
//
//  * Positions are 32-bit and advance by 2: bit 0 of `tail` is the closed
//    mark. Closing is one fetch_or on `tail`, so it is ordered against every
//    producer's claim (a claim is a CAS on the whole word): a push either
//    claimed its slot before the close, or it sees the mark and fails. Poppers
//    know the ring is drained when head == tail without the mark.
//  * All comparisons are wrap-safe signed differences of uint32 values, which
//    JavaScript's Atomics on an Int32Array compute the same way; capacity is at
//    most 2^28 so differences stay far inside +-2^31.
//  * Batch calls claim k consecutive ready slots with one CAS.
//  * Blocking waits sleep on futex words in the header. A waiter raises the
//    waiter count, reads the futex word, re-checks the ring, then sleeps while
//    the word is unchanged; a producer (consumer) publishes, fences, and only
//    when the waiter count is non-zero bumps the word and calls FUTEX_WAKE.
//    So the fast path makes no syscall. The futexes are not FUTEX_PRIVATE:
//    they work across processes on a MAP_SHARED mapping.
//
// ---------------------------------------------------------------------------
// Byte layout (offsets from the ring's base; all words little-endian uint32;
// the base must be 8-byte aligned, 64-byte alignment keeps the lines apart).
// lib/shared/ring-layout.ts mirrors these numbers; change both together.
//
//   offset  field          written by        meaning
//   ------  -------------  ----------------  ----------------------------------
//        0  magic          create            0x474E4952 ("RING" as bytes)
//        4  version        create            1
//        8  capacity       create            slots, a power of two, 1..2^28
//       12  slotSize       create            max message bytes, 1..2^24
//       16  slotStride     create            8 + slotSize rounded up to 8
//       20  headerBytes    create            320 (where slot 0 starts)
//       24  closed         close             1 once closed (set after tail's
//                                            mark; lets an idle popper skip
//                                            reading the producers' line)
//       64  tail           producers, close  next push position * 2; bit 0 =
//                                            closed mark (own cache line)
//      128  head           consumers         next pop position * 2 (own line)
//      192  notEmpty       producers, close  futex word poppers sleep on
//      196  emptyWaiters   poppers           how many poppers sleep / are
//                                            about to sleep on notEmpty
//      256  notFull        consumers, close  futex word pushers sleep on
//      260  fullWaiters    pushers           pushers sleeping on notFull
//      320  slot[0]        slot i starts at 320 + i * slotStride
//
//   slot:   +0 seq u32   the Vyukov sequence: == pos  -> free for the push at
//                        pos; == pos + 2 -> holds the message of pos; after the
//                        pop of pos it becomes pos + 2 * capacity
//           +4 len u32   message length in bytes (0..slotSize)
//           +8 payload   slotSize bytes, padded to a multiple of 8
//
// Total bytes: 320 + capacity * slotStride. `magic` is written last by create
// (release), so attach never sees a half-initialised ring.
// ---------------------------------------------------------------------------
#pragma once

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <type_traits>

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__SANITIZE_THREAD__)
#define LOOM_RING_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define LOOM_RING_TSAN 1
#endif
#endif

namespace loom {
namespace ring {

constexpr uint32_t kMagic = 0x474E4952u;  // bytes 'R' 'I' 'N' 'G'
constexpr uint32_t kVersion = 1;
constexpr size_t kCacheLine = 64;
constexpr uint32_t kMaxCapacity = 1u << 28;
constexpr uint32_t kMaxSlotSize = 1u << 24;
constexpr uint32_t kClosedMark = 1u;  // bit 0 of tail
constexpr uint32_t kStep = 2;         // positions advance by 2 (bit 0 is the mark)

using Word = std::atomic<uint32_t>;
static_assert(Word::is_always_lock_free,
              "the ring needs lock-free 32-bit atomics: they live in shared memory, "
              "where a lock-based atomic would not be shared between processes");
static_assert(sizeof(Word) == 4 && alignof(Word) == 4,
              "std::atomic<uint32_t> must be a plain 4-byte word so JavaScript's Atomics "
              "on an Int32Array see the same bytes");

// The header, as it lies in memory. Only offsets matter (the same bytes are
// mapped at different addresses in different processes): no pointers inside.
struct alignas(kCacheLine) Header {
  // line 0: fixed at creation, read by everyone
  Word magic;
  uint32_t version;
  uint32_t capacity;
  uint32_t slot_size;
  uint32_t slot_stride;
  uint32_t header_bytes;
  Word closed;
  // line 1: producers
  alignas(kCacheLine) Word tail;
  // line 2: consumers
  alignas(kCacheLine) Word head;
  // line 3: poppers sleep here, producers wake them
  alignas(kCacheLine) Word not_empty;
  Word empty_waiters;
  // line 4: pushers sleep here, consumers wake them
  alignas(kCacheLine) Word not_full;
  Word full_waiters;
};

static_assert(std::is_standard_layout<Header>::value && std::is_trivially_destructible<Header>::value,
              "the header is plain data at fixed offsets (offsetof needs a standard layout), never "
              "constructed or destroyed in place: each process maps it at its own address");

constexpr size_t kHeaderBytes = 320;
static_assert(sizeof(Header) == kHeaderBytes, "the header is five cache lines: 320 bytes");
static_assert(offsetof(Header, magic) == 0, "layout: magic at 0");
static_assert(offsetof(Header, capacity) == 8, "layout: capacity at 8");
static_assert(offsetof(Header, slot_size) == 12, "layout: slotSize at 12");
static_assert(offsetof(Header, slot_stride) == 16, "layout: slotStride at 16");
static_assert(offsetof(Header, header_bytes) == 20, "layout: headerBytes at 20");
static_assert(offsetof(Header, closed) == 24, "layout: closed at 24");
static_assert(offsetof(Header, tail) == 64, "layout: tail alone on cache line 1 (offset 64)");
static_assert(offsetof(Header, head) == 128, "layout: head alone on cache line 2 (offset 128)");
static_assert(offsetof(Header, tail) % kCacheLine == 0 && offsetof(Header, head) % kCacheLine == 0,
              "tail and head must start cache lines, or producers and consumers false-share");
static_assert(offsetof(Header, head) - offsetof(Header, tail) >= kCacheLine,
              "tail and head must be at least a cache line apart");
static_assert(offsetof(Header, not_empty) == 192 && offsetof(Header, empty_waiters) == 196,
              "layout: notEmpty at 192, emptyWaiters at 196");
static_assert(offsetof(Header, not_full) == 256 && offsetof(Header, full_waiters) == 260,
              "layout: notFull at 256, fullWaiters at 260");

struct Slot {
  Word seq;
  Word len;  // atomic (relaxed) because a batch pop reads it before claiming
  // payload follows
};
constexpr size_t kSlotHeaderBytes = 8;
static_assert(sizeof(Slot) == kSlotHeaderBytes, "slot = [seq u32][len u32][payload]");
static_assert(offsetof(Slot, len) == 4, "layout: slot len at +4");

enum class Status : int {
  ok = 0,
  would_block = 1,  // full (push) or empty (pop)
  closed = 2,       // push on a closed ring, or pop on a closed and drained ring
  too_large = 3,    // message longer than slotSize
  timed_out = 4,
};

enum class AttachError : int {
  none = 0,
  bad_magic = 1,
  bad_version = 2,
  bad_geometry = 3,  // capacity / slot size / stride fields make no sense
  too_small = 4,     // fewer bytes available than the ring needs
  misaligned = 5,
};

inline constexpr bool is_pow2(uint32_t x) { return x != 0 && (x & (x - 1)) == 0; }
inline constexpr uint32_t stride_for(uint32_t slot_size) {
  return static_cast<uint32_t>(kSlotHeaderBytes + ((static_cast<uint64_t>(slot_size) + 7) & ~uint64_t{7}));
}
inline constexpr uint64_t bytes_needed(uint32_t capacity, uint32_t slot_size) {
  return kHeaderBytes + static_cast<uint64_t>(capacity) * stride_for(slot_size);
}
inline constexpr bool valid_geometry(uint32_t capacity, uint32_t slot_size) {
  return is_pow2(capacity) && capacity <= kMaxCapacity && slot_size >= 1 && slot_size <= kMaxSlotSize;
}
static_assert(stride_for(8) == 16 && stride_for(1) == 16 && stride_for(64) == 72, "stride = 8 + slotSize padded to 8");
static_assert(static_cast<int64_t>(2) * kMaxCapacity * kStep < INT32_MAX,
              "wrap-safe signed differences need 2 * capacity * step far below 2^31");

inline int32_t diff(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b); }

// Futex calls on a word that may be shared between processes (no FUTEX_PRIVATE_FLAG).
inline int futex_wait(Word* word, uint32_t expected, int64_t timeout_ns) {
  struct timespec ts;
  struct timespec* tsp = nullptr;
  if (timeout_ns >= 0) {
    ts.tv_sec = static_cast<time_t>(timeout_ns / 1000000000);
    ts.tv_nsec = static_cast<long>(timeout_ns % 1000000000);
    tsp = &ts;
  }
  long r = syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAIT, expected, tsp, nullptr, 0);
  return r == 0 ? 0 : errno;
}
inline int futex_wake(Word* word, int count) {
  return static_cast<int>(syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE, count, nullptr, nullptr, 0));
}

inline int64_t now_ns() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// A view of a ring at some address. Cheap to build (it copies the geometry
// out of the header once, so a peer scribbling on the header cannot make this
// view reach outside the bytes it was given); owns nothing.
class Ring {
 public:
  // Initialises `bytes` (at least bytes_needed(capacity, slot_size) of them,
  // 8-byte aligned) as an empty ring. Not safe against concurrent users.
  static AttachError create(void* base, size_t available, uint32_t capacity, uint32_t slot_size, Ring* out) {
    if (reinterpret_cast<uintptr_t>(base) % 8 != 0) return AttachError::misaligned;
    if (!valid_geometry(capacity, slot_size)) return AttachError::bad_geometry;
    if (available < bytes_needed(capacity, slot_size)) return AttachError::too_small;
    auto* h = static_cast<Header*>(base);
    h->magic.store(0, std::memory_order_relaxed);
    h->version = kVersion;
    h->capacity = capacity;
    h->slot_size = slot_size;
    h->slot_stride = stride_for(slot_size);
    h->header_bytes = kHeaderBytes;
    h->closed.store(0, std::memory_order_relaxed);
    h->tail.store(0, std::memory_order_relaxed);
    h->head.store(0, std::memory_order_relaxed);
    h->not_empty.store(0, std::memory_order_relaxed);
    h->empty_waiters.store(0, std::memory_order_relaxed);
    h->not_full.store(0, std::memory_order_relaxed);
    h->full_waiters.store(0, std::memory_order_relaxed);
    Ring r(h, capacity, slot_size);
    for (uint32_t i = 0; i < capacity; i++) {
      r.slot(i * kStep)->seq.store(i * kStep, std::memory_order_relaxed);
      r.slot(i * kStep)->len.store(0, std::memory_order_relaxed);
    }
    h->magic.store(kMagic, std::memory_order_release);
    *out = r;
    return AttachError::none;
  }

  // A view of an existing ring; checks magic, version and that the geometry
  // in the header fits in `available` bytes.
  static AttachError attach(void* base, size_t available, Ring* out) {
    if (reinterpret_cast<uintptr_t>(base) % 8 != 0) return AttachError::misaligned;
    if (available < kHeaderBytes) return AttachError::too_small;
    auto* h = static_cast<Header*>(base);
    if (h->magic.load(std::memory_order_acquire) != kMagic) return AttachError::bad_magic;
    if (h->version != kVersion) return AttachError::bad_version;
    const uint32_t capacity = h->capacity, slot_size = h->slot_size;
    if (!valid_geometry(capacity, slot_size) || h->slot_stride != stride_for(slot_size) ||
        h->header_bytes != kHeaderBytes)
      return AttachError::bad_geometry;
    if (available < bytes_needed(capacity, slot_size)) return AttachError::too_small;
    *out = Ring(h, capacity, slot_size);
    return AttachError::none;
  }

  Ring() = default;

  uint32_t capacity() const { return capacity_; }
  uint32_t slot_size() const { return slot_size_; }
  Header* header() const { return h_; }
  bool closed() const { return (h_->tail.load(std::memory_order_acquire) & kClosedMark) != 0; }
  // Messages in the ring right now (a snapshot; exact only when nobody moves).
  uint32_t size_approx() const {
    const uint32_t t = h_->tail.load(std::memory_order_acquire) & ~kClosedMark;
    const uint32_t hd = h_->head.load(std::memory_order_acquire);
    const int32_t d = diff(t, hd);
    return d > 0 ? static_cast<uint32_t>(d) / kStep : 0;
  }

  Status try_push(const void* data, uint32_t len) {
    if (len > slot_size_) return Status::too_large;
    uint32_t t = h_->tail.load(std::memory_order_relaxed);
    for (;;) {
      if (t & kClosedMark) return Status::closed;
      Slot* s = slot(t);
      const int32_t d = diff(s->seq.load(std::memory_order_acquire), t);
      if (d == 0) {
        if (h_->tail.compare_exchange_weak(t, t + kStep, std::memory_order_relaxed)) {
          write(s, data, len);
          s->seq.store(t + kStep, std::memory_order_release);
          wake_if_waiting(&h_->not_empty, &h_->empty_waiters);
          return Status::ok;
        }
      } else if (d < 0) {
        // full; a close that raced with us still wins
        t = h_->tail.load(std::memory_order_relaxed);
        return (t & kClosedMark) ? Status::closed : Status::would_block;
      } else {
        t = h_->tail.load(std::memory_order_relaxed);
      }
    }
  }

  // Pops one message into `out` (room for `out_cap` bytes; slot_size is always
  // enough). Status::would_block when empty, Status::closed when closed and drained.
  Status try_pop(void* out, size_t out_cap, uint32_t* len_out) {
    uint32_t hd = h_->head.load(std::memory_order_relaxed);
    for (;;) {
      Slot* s = slot(hd);
      const int32_t d = diff(s->seq.load(std::memory_order_acquire), hd + kStep);
      if (d == 0) {
        const uint32_t len = s->len.load(std::memory_order_relaxed);
        if (len > out_cap) return Status::too_large;
        if (h_->head.compare_exchange_weak(hd, hd + kStep, std::memory_order_relaxed)) {
          std::memcpy(out, payload(s), len);
          *len_out = len;
          s->seq.store(hd + capacity_ * kStep, std::memory_order_release);
          wake_if_waiting(&h_->not_full, &h_->full_waiters);
          return Status::ok;
        }
      } else if (d < 0) {
        return drained_status(hd);
      } else {
        hd = h_->head.load(std::memory_order_relaxed);
      }
    }
  }

  // Pushes up to n messages laid back to back in `data` (lengths in `lens`)
  // with one claim. Returns how many were pushed (a prefix); 0 with *st set
  // to would_block (full), closed, or too_large (the first message is too long).
  size_t push_batch(const uint8_t* data, const uint32_t* lens, size_t n, Status* st) {
    *st = Status::ok;
    if (n == 0) return 0;
    uint32_t t = h_->tail.load(std::memory_order_relaxed);
    for (;;) {
      if (t & kClosedMark) {
        *st = Status::closed;
        return 0;
      }
      const size_t limit = n < capacity_ ? n : capacity_;
      size_t k = 0;
      int32_t d = 0;
      for (; k < limit; k++) {
        if (lens[k] > slot_size_) break;
        const uint32_t pos = t + static_cast<uint32_t>(k) * kStep;
        d = diff(slot(pos)->seq.load(std::memory_order_acquire), pos);
        if (d != 0) break;
      }
      if (k == 0) {
        if (lens[0] > slot_size_) {
          *st = Status::too_large;
          return 0;
        }
        if (d < 0) {
          t = h_->tail.load(std::memory_order_relaxed);
          *st = (t & kClosedMark) ? Status::closed : Status::would_block;
          return 0;
        }
        t = h_->tail.load(std::memory_order_relaxed);
        continue;
      }
      if (h_->tail.compare_exchange_weak(t, t + static_cast<uint32_t>(k) * kStep, std::memory_order_relaxed)) {
        for (size_t i = 0; i < k; i++) {
          const uint32_t pos = t + static_cast<uint32_t>(i) * kStep;
          Slot* s = slot(pos);
          write(s, data, lens[i]);
          data += lens[i];
          s->seq.store(pos + kStep, std::memory_order_release);
        }
        wake_if_waiting(&h_->not_empty, &h_->empty_waiters);
        return k;
      }
    }
  }

  // Pops up to `max` messages back to back into `out` (while they fit in
  // out_cap bytes), their lengths into `lens`, with one claim. 0 with *st =
  // would_block (empty) or closed (closed and drained).
  size_t pop_batch(uint8_t* out, size_t out_cap, uint32_t* lens, size_t max, Status* st) {
    *st = Status::ok;
    if (max == 0) return 0;
    uint32_t hd = h_->head.load(std::memory_order_relaxed);
    for (;;) {
      const size_t limit = max < capacity_ ? max : capacity_;
      size_t k = 0, bytes = 0;
      int32_t d = 0;
      for (; k < limit; k++) {
        const uint32_t pos = hd + static_cast<uint32_t>(k) * kStep;
        Slot* s = slot(pos);
        d = diff(s->seq.load(std::memory_order_acquire), pos + kStep);
        if (d != 0) break;
        const uint32_t len = s->len.load(std::memory_order_relaxed);
        if (bytes + len > out_cap) break;
        lens[k] = len;  // may be stale if another consumer wins; then the CAS fails
        bytes += len;
      }
      if (k == 0) {
        if (d == 0) {  // the first message does not fit in out
          *st = Status::too_large;
          return 0;
        }
        if (d < 0) {
          *st = drained_status(hd);
          return 0;
        }
        hd = h_->head.load(std::memory_order_relaxed);
        continue;
      }
      if (h_->head.compare_exchange_weak(hd, hd + static_cast<uint32_t>(k) * kStep, std::memory_order_relaxed)) {
        for (size_t i = 0; i < k; i++) {
          const uint32_t pos = hd + static_cast<uint32_t>(i) * kStep;
          Slot* s = slot(pos);
          std::memcpy(out, payload(s), lens[i]);
          out += lens[i];
          s->seq.store(pos + capacity_ * kStep, std::memory_order_release);
        }
        wake_if_waiting(&h_->not_full, &h_->full_waiters);
        return k;
      }
    }
  }

  // Blocking forms: try, spin `spin` times, then sleep on the futex word.
  // timeout_ns < 0 waits forever; Status::timed_out when it passes.
  Status push_wait(const void* data, uint32_t len, int64_t timeout_ns = -1, int spin = 64) {
    return wait_loop(&h_->not_full, &h_->full_waiters, timeout_ns, spin, [&] { return try_push(data, len); });
  }
  Status pop_wait(void* out, size_t out_cap, uint32_t* len_out, int64_t timeout_ns = -1, int spin = 64) {
    return wait_loop(&h_->not_empty, &h_->empty_waiters, timeout_ns, spin,
                     [&] { return try_pop(out, out_cap, len_out); });
  }
  size_t push_batch_wait(const uint8_t* data, const uint32_t* lens, size_t n, Status* st, int64_t timeout_ns = -1,
                         int spin = 64) {
    size_t got = 0;
    *st = wait_loop(&h_->not_full, &h_->full_waiters, timeout_ns, spin, [&] {
      Status s;
      got = push_batch(data, lens, n, &s);
      return s;
    });
    return got;
  }
  size_t pop_batch_wait(uint8_t* out, size_t out_cap, uint32_t* lens, size_t max, Status* st,
                        int64_t timeout_ns = -1, int spin = 64) {
    size_t got = 0;
    *st = wait_loop(&h_->not_empty, &h_->empty_waiters, timeout_ns, spin, [&] {
      Status s;
      got = pop_batch(out, out_cap, lens, max, &s);
      return s;
    });
    return got;
  }

  // Marks the ring closed and wakes every sleeper on both sides.
  void close() {
    h_->tail.fetch_or(kClosedMark, std::memory_order_acq_rel);
    h_->closed.store(1, std::memory_order_seq_cst);
    h_->not_empty.fetch_add(1, std::memory_order_seq_cst);
    h_->not_full.fetch_add(1, std::memory_order_seq_cst);
    futex_wake(&h_->not_empty, INT_MAX);
    futex_wake(&h_->not_full, INT_MAX);
  }

 private:
  Ring(Header* h, uint32_t capacity, uint32_t slot_size)
      : h_(h),
        base_(reinterpret_cast<uint8_t*>(h) + kHeaderBytes),
        capacity_(capacity),
        mask_(capacity - 1),
        slot_size_(slot_size),
        stride_(stride_for(slot_size)) {}

  Slot* slot(uint32_t pos) const {
    return reinterpret_cast<Slot*>(base_ + static_cast<size_t>((pos / kStep) & mask_) * stride_);
  }
  static uint8_t* payload(Slot* s) { return reinterpret_cast<uint8_t*>(s) + kSlotHeaderBytes; }
  static void write(Slot* s, const void* data, uint32_t len) {
    s->len.store(len, std::memory_order_relaxed);
    if (len) std::memcpy(payload(s), data, len);
  }

  // Called with the ring empty at `hd`: closed only if the mark is set and
  // every claimed push has been popped (tail without its mark == head). The
  // `closed` word is checked first so that an idle popper does not keep
  // pulling the producers' cache line; it is set after the mark, so a popper
  // may see "empty" for a moment after close() began, never "closed" early.
  Status drained_status(uint32_t hd) const {
    if (h_->closed.load(std::memory_order_acquire) == 0) return Status::would_block;
    const uint32_t t = h_->tail.load(std::memory_order_acquire);
    return ((t & kClosedMark) && (t & ~kClosedMark) == hd) ? Status::closed : Status::would_block;
  }

  // The publishing side of the sleep protocol. The fence orders the slot
  // publication before the waiter-count read; the sleeper's fence orders its
  // count increment before its re-check. One of the two sees the other.
  static void wake_if_waiting(Word* word, Word* waiters) {
    if (waiters_after_publish(waiters) != 0) {
      word->fetch_add(1, std::memory_order_seq_cst);
      futex_wake(word, INT_MAX);
    }
  }

  // ThreadSanitizer does not model fences; under it the same ordering comes
  // from read-modify-writes on the waiter count (the later RMW in the count's
  // modification order synchronises with the earlier one). Elsewhere a local
  // fence is cheaper than writing the shared count's cache line on every call.
  static uint32_t waiters_after_publish(Word* waiters) {
#if defined(LOOM_RING_TSAN)
    return waiters->fetch_add(0, std::memory_order_acq_rel);
#else
    std::atomic_thread_fence(std::memory_order_seq_cst);
    return waiters->load(std::memory_order_relaxed);
#endif
  }
  static void announce_waiter(Word* waiters) {
    waiters->fetch_add(1, std::memory_order_seq_cst);
#if !defined(LOOM_RING_TSAN)
    std::atomic_thread_fence(std::memory_order_seq_cst);
#endif
  }

  template <typename Try>
  Status wait_loop(Word* word, Word* waiters, int64_t timeout_ns, int spin, Try attempt) {
    const int64_t deadline = timeout_ns < 0 ? -1 : now_ns() + timeout_ns;
    for (;;) {
      Status s = attempt();
      if (s != Status::would_block) return s;
      for (int i = 0; i < spin; i++) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
        s = attempt();
        if (s != Status::would_block) return s;
      }
      announce_waiter(waiters);
      const uint32_t seen = word->load(std::memory_order_seq_cst);
      s = attempt();
      if (s != Status::would_block) {
        waiters->fetch_sub(1, std::memory_order_seq_cst);
        return s;
      }
      int64_t left = -1;
      if (deadline >= 0) {
        left = deadline - now_ns();
        if (left <= 0) {
          waiters->fetch_sub(1, std::memory_order_seq_cst);
          return Status::timed_out;
        }
      }
      futex_wait(word, seen, left);
      waiters->fetch_sub(1, std::memory_order_seq_cst);
    }
  }

  Header* h_ = nullptr;
  uint8_t* base_ = nullptr;
  uint32_t capacity_ = 0;
  uint32_t mask_ = 0;
  uint32_t slot_size_ = 0;
  uint32_t stride_ = 0;
};

}  // namespace ring
}  // namespace loom
