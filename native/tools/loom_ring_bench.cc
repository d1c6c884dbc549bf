// The limit row of bench/ring.bench.ts: a plain C++ producer process and
// consumer process moving fixed-size messages through the same ring (same
// header, same algorithm) in a MAP_SHARED mapping, with single or batch calls.
//
//   loom_ring_bench [--size 8] [--messages 20000000] [--batch 1] [--capacity 4096] [--spin 1]
//
// Both sides busy-poll the try_ calls (--spin 1, the default: the throughput
// limit of the algorithm), or use the blocking calls, which spin briefly and
// then sleep on the ring's futexes (--spin 0).
// Prints one JSON line: {"size":8,"batch":1,"messages":N,"seconds":s,"opsPerSec":r}.
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "ring.h"

using loom::ring::Ring;
using loom::ring::Status;

namespace {

struct Options {
  uint32_t size = 8;
  uint64_t messages = 20000000;
  uint32_t batch = 1;
  uint32_t capacity = 4096;
  bool spin = true;
};

// A blocking call that never sleeps: retry the try_ form with a pause.
inline void relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const uint64_t v = std::strtoull(argv[i + 1], nullptr, 10);
    if (k == "--size") o.size = static_cast<uint32_t>(v);
    else if (k == "--messages") o.messages = v;
    else if (k == "--batch") o.batch = static_cast<uint32_t>(v);
    else if (k == "--capacity") o.capacity = static_cast<uint32_t>(v);
    else if (k == "--spin") o.spin = v != 0;
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      std::exit(2);
    }
  }
  if (o.size < 8 || o.batch < 1 || !loom::ring::valid_geometry(o.capacity, o.size)) {
    std::fprintf(stderr, "bad options: size >= 8, batch >= 1, capacity a power of two\n");
    std::exit(2);
  }
  return o;
}

void produce(Ring ring, const Options& o) {
  std::vector<uint8_t> buf(static_cast<size_t>(o.size) * o.batch);
  std::vector<uint32_t> lens(o.batch, o.size);
  uint64_t sent = 0;
  while (sent < o.messages) {
    if (o.batch == 1) {
      std::memcpy(buf.data(), &sent, 8);
      if (o.spin) {
        Status s;
        while ((s = ring.try_push(buf.data(), o.size)) == Status::would_block) relax();
        if (s != Status::ok) std::abort();
      } else if (ring.push_wait(buf.data(), o.size, -1, 256) != Status::ok) {
        std::abort();
      }
      sent++;
      continue;
    }
    const size_t n = o.messages - sent < o.batch ? static_cast<size_t>(o.messages - sent) : o.batch;
    for (size_t i = 0; i < n; i++) {
      const uint64_t v = sent + i;
      std::memcpy(buf.data() + i * o.size, &v, 8);
    }
    size_t done = 0;
    while (done < n) {
      Status s;
      const size_t k = o.spin ? ring.push_batch(buf.data() + done * o.size, lens.data() + done, n - done, &s)
                              : ring.push_batch_wait(buf.data() + done * o.size, lens.data() + done, n - done, &s, -1, 256);
      if (s == Status::would_block && o.spin) {
        relax();
        continue;
      }
      if (s != Status::ok) std::abort();
      done += k;
    }
    sent += n;
  }
}

// Returns the sum of the sequence numbers received (checked against n(n-1)/2).
uint64_t consume(Ring ring, const Options& o) {
  std::vector<uint8_t> buf(static_cast<size_t>(o.size) * o.batch);
  std::vector<uint32_t> lens(o.batch);
  uint64_t got = 0, sum = 0;
  while (got < o.messages) {
    if (o.batch == 1) {
      uint32_t len;
      if (o.spin) {
        Status s;
        while ((s = ring.try_pop(buf.data(), buf.size(), &len)) == Status::would_block) relax();
        if (s != Status::ok) std::abort();
      } else if (ring.pop_wait(buf.data(), buf.size(), &len, -1, 256) != Status::ok) {
        std::abort();
      }
      uint64_t v;
      std::memcpy(&v, buf.data(), 8);
      sum += v;
      got++;
      continue;
    }
    Status s;
    const size_t k = o.spin ? ring.pop_batch(buf.data(), buf.size(), lens.data(), o.batch, &s)
                            : ring.pop_batch_wait(buf.data(), buf.size(), lens.data(), o.batch, &s, -1, 256);
    if (s == Status::would_block && o.spin) {
      relax();
      continue;
    }
    if (s != Status::ok) std::abort();
    for (size_t i = 0; i < k; i++) {
      uint64_t v;
      std::memcpy(&v, buf.data() + i * o.size, 8);
      sum += v;
    }
    got += k;
  }
  return sum;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  const size_t bytes = loom::ring::bytes_needed(o.capacity, o.size);
  void* mem = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) {
    std::perror("mmap");
    return 1;
  }
  Ring ring;
  if (Ring::create(mem, bytes, o.capacity, o.size, &ring) != loom::ring::AttachError::none) return 1;
  const int64_t start = loom::ring::now_ns();
  const pid_t pid = fork();
  if (pid < 0) {
    std::perror("fork");
    return 1;
  }
  if (pid == 0) {
    produce(ring, o);
    _exit(0);
  }
  const uint64_t sum = consume(ring, o);
  const double seconds = static_cast<double>(loom::ring::now_ns() - start) / 1e9;
  int status = 0;
  waitpid(pid, &status, 0);
  const uint64_t expected = o.messages * (o.messages - 1) / 2;
  if (sum != expected || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "loom_ring_bench: wrong result (sum %llu, expected %llu, child status 0x%x)\n",
                 static_cast<unsigned long long>(sum), static_cast<unsigned long long>(expected), status);
    return 1;
  }
  std::printf("{\"size\":%u,\"batch\":%u,\"spin\":%s,\"messages\":%llu,\"seconds\":%.6f,\"opsPerSec\":%.0f}\n", o.size, o.batch,
              o.spin ? "true" : "false", static_cast<unsigned long long>(o.messages), seconds, static_cast<double>(o.messages) / seconds);
  munmap(mem, bytes);
  return 0;
}
