// The pure-TypeScript twin of native/ring.h: the same algorithm (Vyukov's
// bounded MPMC queue with per-slot sequence numbers, the closed mark in bit 0
// of tail, one-CAS batches) on the same bytes, with Atomics on an Int32Array.
// A ring written by either side is read by the other, even from another
// process: Atomics are real atomic instructions on mapped memory too.
//
// Every method returns what native/ring_binding.cc returns (RingStatus), so
// the Ring class treats both the same way. Positions are int32 here; every
// comparison is a wrap-safe difference `(a - b) | 0`, as in C++.
import {
  CLOSED_MARK,
  HEADER_BYTES,
  RING_MAGIC,
  RING_VERSION,
  RingAttachStatus,
  RingStatus,
  RingWord,
  SLOT_HEADER_BYTES,
  STEP,
  MAX_CAPACITY,
  MAX_SLOT_SIZE,
  isPowerOfTwo,
  ringBytes,
  slotStride,
} from './ring-layout.js';

const W = RingWord;

/** Checks the header in `i32` (a view over `byteLength` bytes): 0 or a RingAttachStatus. */
export function checkRingHeader(i32: Int32Array, byteLength: number): number {
  if (byteLength < HEADER_BYTES) return RingAttachStatus.tooSmall;
  if (Atomics.load(i32, W.magic) !== RING_MAGIC) return RingAttachStatus.badMagic;
  if (i32[W.version] !== RING_VERSION) return RingAttachStatus.badVersion;
  const capacity = i32[W.capacity] as number;
  const slotSize = i32[W.slotSize] as number;
  if (
    !isPowerOfTwo(capacity) ||
    capacity > MAX_CAPACITY ||
    slotSize < 1 ||
    slotSize > MAX_SLOT_SIZE ||
    i32[W.slotStride] !== slotStride(slotSize) ||
    i32[W.headerBytes] !== HEADER_BYTES
  ) {
    return RingAttachStatus.badGeometry;
  }
  if (byteLength < ringBytes(capacity, slotSize)) return RingAttachStatus.tooSmall;
  return 0;
}

/** Lays out an empty ring; magic last, so attach never sees it half done. */
export function initRing(i32: Int32Array, capacity: number, slotSize: number): void {
  Atomics.store(i32, W.magic, 0);
  i32[W.version] = RING_VERSION;
  i32[W.capacity] = capacity;
  i32[W.slotSize] = slotSize;
  i32[W.slotStride] = slotStride(slotSize);
  i32[W.headerBytes] = HEADER_BYTES;
  i32[W.closed] = 0;
  for (const w of [W.tail, W.head, W.notEmpty, W.emptyWaiters, W.notFull, W.fullWaiters]) i32[w] = 0;
  const stride = slotStride(slotSize);
  for (let i = 0; i < capacity; i++) {
    const at = (HEADER_BYTES + i * stride) >> 2;
    i32[at] = i * STEP;
    i32[at + 1] = 0;
  }
  Atomics.store(i32, W.magic, RING_MAGIC);
}

/** Called after a publish when the other side may sleep; `wake` makes the syscall. */
export type Waker = (wordIndex: number) => void;

export class RingTwin {
  readonly capacity: number;
  readonly slotSize: number;
  readonly #i32: Int32Array;
  readonly #u8: Uint8Array;
  readonly #mask: number;
  readonly #stride: number;
  readonly #wake: Waker;

  /** `i32` and `u8` view exactly the ring's bytes; the header was checked. */
  constructor(i32: Int32Array, u8: Uint8Array, wake: Waker) {
    this.#i32 = i32;
    this.#u8 = u8;
    this.capacity = i32[W.capacity] as number;
    this.slotSize = i32[W.slotSize] as number;
    this.#mask = this.capacity - 1;
    this.#stride = slotStride(this.slotSize);
    this.#wake = wake;
  }

  /** Byte offset of the slot for position `pos` (an even int32). */
  #slot(pos: number): number {
    return HEADER_BYTES + ((pos >>> 1) & this.#mask) * this.#stride;
  }

  #write(at: number, msg: Uint8Array): void {
    this.#writeFrom(at, msg, 0, msg.length);
  }

  // Short messages are copied by hand: cheaper than set() with a subarray.
  #writeFrom(at: number, src: Uint8Array, from: number, len: number): void {
    this.#i32[(at >> 2) + 1] = len;
    const p = at + SLOT_HEADER_BYTES;
    if (len <= 16) {
      const u8 = this.#u8;
      for (let i = 0; i < len; i++) u8[p + i] = src[from + i] as number;
    } else {
      this.#u8.set(from === 0 && len === src.length ? src : src.subarray(from, from + len), p);
    }
  }

  #wakeIfWaiting(word: number, waiters: number): void {
    // Atomics are sequentially consistent: this load is ordered after the
    // publishing store, as the sleeper's count increment is before its re-check.
    if (Atomics.load(this.#i32, waiters) !== 0) {
      Atomics.add(this.#i32, word, 1);
      this.#wake(word);
    }
  }

  /** 0, or wouldBlock (full), closed, tooLarge. */
  tryPush(msg: Uint8Array): number {
    if (msg.length > this.slotSize) return RingStatus.tooLarge;
    const i32 = this.#i32;
    let t = Atomics.load(i32, W.tail);
    for (;;) {
      if (t & CLOSED_MARK) return RingStatus.closed;
      const at = this.#slot(t);
      const d = (Atomics.load(i32, at >> 2) - t) | 0;
      if (d === 0) {
        const seen = Atomics.compareExchange(i32, W.tail, t, (t + STEP) | 0);
        if (seen === t) {
          this.#write(at, msg);
          Atomics.store(i32, at >> 2, (t + STEP) | 0);
          this.#wakeIfWaiting(W.notEmpty, W.emptyWaiters);
          return RingStatus.ok;
        }
        t = seen;
      } else if (d < 0) {
        t = Atomics.load(i32, W.tail);
        return t & CLOSED_MARK ? RingStatus.closed : RingStatus.wouldBlock;
      } else {
        t = Atomics.load(i32, W.tail);
      }
    }
  }

  /** Pops into `out` (at least slotSize bytes): the length, or wouldBlock (empty), closed (drained). */
  tryPop(out: Uint8Array): number {
    const i32 = this.#i32;
    let h = Atomics.load(i32, W.head);
    for (;;) {
      const at = this.#slot(h);
      const d = (Atomics.load(i32, at >> 2) - ((h + STEP) | 0)) | 0;
      if (d === 0) {
        const len = i32[(at >> 2) + 1] as number;
        if (len > out.length) return RingStatus.tooLarge;
        const seen = Atomics.compareExchange(i32, W.head, h, (h + STEP) | 0);
        if (seen === h) {
          this.#read(at, len, out, 0);
          Atomics.store(i32, at >> 2, (h + this.capacity * STEP) | 0);
          this.#wakeIfWaiting(W.notFull, W.fullWaiters);
          return len;
        }
        h = seen;
      } else if (d < 0) {
        return this.#drainedStatus(h);
      } else {
        h = Atomics.load(i32, W.head);
      }
    }
  }

  #read(at: number, len: number, out: Uint8Array, outAt: number): void {
    const p = at + SLOT_HEADER_BYTES;
    if (len <= 16) {
      const u8 = this.#u8;
      for (let i = 0; i < len; i++) out[outAt + i] = u8[p + i] as number;
    } else {
      out.set(this.#u8.subarray(p, p + len), outAt);
    }
  }

  #drainedStatus(h: number): number {
    // `closed` first, so an idle popper does not keep pulling the producers' line.
    if (Atomics.load(this.#i32, W.closed) === 0) return RingStatus.wouldBlock;
    const t = Atomics.load(this.#i32, W.tail);
    return t & CLOSED_MARK && (t & ~CLOSED_MARK) === h ? RingStatus.closed : RingStatus.wouldBlock;
  }

  /**
   * Pushes msgs[from..from+count) with one claim of consecutive free slots:
   * how many were pushed (a prefix), or wouldBlock / closed / tooLarge when none.
   */
  pushMany(msgs: readonly Uint8Array[], from: number, count: number): number {
    if (count <= 0) return 0;
    const i32 = this.#i32;
    let t = Atomics.load(i32, W.tail);
    for (;;) {
      if (t & CLOSED_MARK) return RingStatus.closed;
      const limit = Math.min(count, this.capacity);
      let k = 0;
      let d = 0;
      for (; k < limit; k++) {
        if ((msgs[from + k] as Uint8Array).length > this.slotSize) break;
        const pos = (t + k * STEP) | 0;
        d = (Atomics.load(i32, this.#slot(pos) >> 2) - pos) | 0;
        if (d !== 0) break;
      }
      if (k === 0) {
        if ((msgs[from] as Uint8Array).length > this.slotSize) return RingStatus.tooLarge;
        if (d < 0) {
          t = Atomics.load(i32, W.tail);
          return t & CLOSED_MARK ? RingStatus.closed : RingStatus.wouldBlock;
        }
        t = Atomics.load(i32, W.tail);
        continue;
      }
      const seen = Atomics.compareExchange(i32, W.tail, t, (t + k * STEP) | 0);
      if (seen !== t) {
        t = seen;
        continue;
      }
      for (let i = 0; i < k; i++) {
        const pos = (t + i * STEP) | 0;
        const at = this.#slot(pos);
        this.#write(at, msgs[from + i] as Uint8Array);
        Atomics.store(i32, at >> 2, (pos + STEP) | 0);
      }
      this.#wakeIfWaiting(W.notEmpty, W.emptyWaiters);
      return k;
    }
  }

  /** Like pushMany, for messages back to back in `data` with lengths in `lens`. */
  pushPacked(data: Uint8Array, lens: Uint32Array, count: number): number {
    if (count <= 0) return 0;
    const i32 = this.#i32;
    let t = Atomics.load(i32, W.tail);
    for (;;) {
      if (t & CLOSED_MARK) return RingStatus.closed;
      const limit = Math.min(count, this.capacity);
      let k = 0;
      let d = 0;
      for (; k < limit; k++) {
        if ((lens[k] as number) > this.slotSize) break;
        const pos = (t + k * STEP) | 0;
        d = (Atomics.load(i32, this.#slot(pos) >> 2) - pos) | 0;
        if (d !== 0) break;
      }
      if (k === 0) {
        if ((lens[0] as number) > this.slotSize) return RingStatus.tooLarge;
        if (d < 0) {
          t = Atomics.load(i32, W.tail);
          return t & CLOSED_MARK ? RingStatus.closed : RingStatus.wouldBlock;
        }
        t = Atomics.load(i32, W.tail);
        continue;
      }
      const seen = Atomics.compareExchange(i32, W.tail, t, (t + k * STEP) | 0);
      if (seen !== t) {
        t = seen;
        continue;
      }
      let off = 0;
      for (let i = 0; i < k; i++) {
        const pos = (t + i * STEP) | 0;
        const at = this.#slot(pos);
        const len = lens[i] as number;
        this.#writeFrom(at, data, off, len);
        off += len;
        Atomics.store(i32, at >> 2, (pos + STEP) | 0);
      }
      this.#wakeIfWaiting(W.notEmpty, W.emptyWaiters);
      return k;
    }
  }

  /**
   * Pops up to `max` messages with one claim, back to back into `out` (while
   * they fit), lengths into `lens`: how many, or wouldBlock / closed when none.
   */
  popPacked(out: Uint8Array, lens: Uint32Array, max: number): number {
    max = Math.min(max, lens.length);
    if (max <= 0) return 0;
    const i32 = this.#i32;
    let h = Atomics.load(i32, W.head);
    for (;;) {
      const limit = Math.min(max, this.capacity);
      let k = 0;
      let d = 0;
      let bytes = 0;
      for (; k < limit; k++) {
        const pos = (h + k * STEP) | 0;
        const at = this.#slot(pos);
        d = (Atomics.load(i32, at >> 2) - ((pos + STEP) | 0)) | 0;
        if (d !== 0) break;
        const len = i32[(at >> 2) + 1] as number;
        if (bytes + len > out.length) break;
        lens[k] = len; // may be stale if another consumer wins; then the CAS fails
        bytes += len;
      }
      if (k === 0) {
        if (d === 0) return RingStatus.tooLarge;
        if (d < 0) return this.#drainedStatus(h);
        h = Atomics.load(i32, W.head);
        continue;
      }
      const seen = Atomics.compareExchange(i32, W.head, h, (h + k * STEP) | 0);
      if (seen !== h) {
        h = seen;
        continue;
      }
      let off = 0;
      for (let i = 0; i < k; i++) {
        const pos = (h + i * STEP) | 0;
        const at = this.#slot(pos);
        const len = lens[i] as number;
        this.#read(at, len, out, off);
        off += len;
        Atomics.store(i32, at >> 2, (pos + this.capacity * STEP) | 0);
      }
      this.#wakeIfWaiting(W.notFull, W.fullWaiters);
      return k;
    }
  }

  /** Sets the closed mark (ordered against every push claim), then wakes all sleepers. */
  close(): void {
    const i32 = this.#i32;
    Atomics.or(i32, W.tail, CLOSED_MARK);
    Atomics.store(i32, W.closed, 1);
    Atomics.add(i32, W.notEmpty, 1);
    Atomics.add(i32, W.notFull, 1);
    this.#wake(W.notEmpty);
    this.#wake(W.notFull);
  }
}
