// Helpers shared by the ring's C++ stress tests: messages that carry their
// producer and index and a filler derived from both, so a consumer can prove
// each one intact, and a checksum that proves none was lost or duplicated.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core_check.h"

namespace loom_test {


inline uint64_t mix(uint64_t x) {  // splitmix64 finaliser
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Message length varies between 8 and slot_size so batch pops see mixed sizes.
inline uint32_t message_len(uint32_t producer, uint32_t index, uint32_t slot_size) {
  return 8 + static_cast<uint32_t>(mix((uint64_t{producer} << 32) | index) % (slot_size - 8 + 1));
}

inline uint32_t encode(uint8_t* out, uint32_t producer, uint32_t index, uint32_t slot_size) {
  const uint32_t len = message_len(producer, index, slot_size);
  std::memcpy(out, &producer, 4);
  std::memcpy(out + 4, &index, 4);
  for (uint32_t i = 8; i < len; i++) out[i] = static_cast<uint8_t>(producer * 31 + index + i);
  return len;
}

struct Decoded {
  uint32_t producer;
  uint32_t index;
};

inline Decoded decode_and_verify(const uint8_t* msg, uint32_t len, uint32_t slot_size) {
  Decoded d;
  CORE_CHECK(len >= 8);
  std::memcpy(&d.producer, msg, 4);
  std::memcpy(&d.index, msg + 4, 4);
  CORE_CHECK(len == message_len(d.producer, d.index, slot_size));
  for (uint32_t i = 8; i < len; i++) CORE_CHECK(msg[i] == static_cast<uint8_t>(d.producer * 31 + d.index + i));
  return d;
}

inline uint64_t message_hash(uint32_t producer, uint32_t index) {
  return mix((uint64_t{producer} << 32) ^ index ^ 0x5555);
}

inline uint64_t env_u64(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

}  // namespace loom_test
