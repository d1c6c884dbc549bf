// The ring's byte layout, mirrored from native/ring.h (the header comment
// there is the reference; change both together). Everything is a 32-bit word,
// so the TS twin addresses the header through one Int32Array over the ring.

export const RING_MAGIC = 0x474e4952; // bytes 'R' 'I' 'N' 'G'
export const RING_VERSION = 1;
export const HEADER_BYTES = 320;
export const SLOT_HEADER_BYTES = 8; // [seq u32][len u32]
export const MAX_CAPACITY = 2 ** 28;
export const MAX_SLOT_SIZE = 2 ** 24;
/** Bit 0 of `tail` marks the ring closed; positions therefore advance by 2. */
export const CLOSED_MARK = 1;
export const STEP = 2;

/** Byte offsets of the header fields from the ring's base. */
const RingOffset = {
  magic: 0,
  version: 4,
  capacity: 8,
  slotSize: 12,
  slotStride: 16,
  headerBytes: 20,
  closed: 24,
  tail: 64, // own cache line
  head: 128, // own cache line
  notEmpty: 192,
  emptyWaiters: 196,
  notFull: 256,
  fullWaiters: 260,
} as const;

/** The same fields as Int32Array indexes (byte offset / 4). */
export const RingWord = {
  magic: RingOffset.magic / 4,
  version: RingOffset.version / 4,
  capacity: RingOffset.capacity / 4,
  slotSize: RingOffset.slotSize / 4,
  slotStride: RingOffset.slotStride / 4,
  headerBytes: RingOffset.headerBytes / 4,
  closed: RingOffset.closed / 4,
  tail: RingOffset.tail / 4,
  head: RingOffset.head / 4,
  notEmpty: RingOffset.notEmpty / 4,
  emptyWaiters: RingOffset.emptyWaiters / 4,
  notFull: RingOffset.notFull / 4,
  fullWaiters: RingOffset.fullWaiters / 4,
} as const;

/**
 * What the ring operations return, in the TS twin and in the native binding
 * alike: >= 0 is success (a length or a count), negatives are these.
 */
export const RingStatus = {
  ok: 0,
  wouldBlock: -1, // full (push) or empty (pop)
  closed: -2, // push on a closed ring; pop on a closed, drained ring
  tooLarge: -3, // message larger than slotSize, or output too small
} as const;

/** Attach failures: -10 - k for native/ring.h's AttachError k. */
export const RingAttachStatus = {
  badMagic: -11,
  badVersion: -12,
  badGeometry: -13,
  tooSmall: -14,
  misaligned: -15,
} as const;

/** Bytes from one slot's start to the next: the slot header plus slotSize padded to 8. */
export function slotStride(slotSize: number): number {
  return SLOT_HEADER_BYTES + Math.ceil(slotSize / 8) * 8;
}

export function ringBytes(capacity: number, slotSize: number): number {
  return HEADER_BYTES + capacity * slotStride(slotSize);
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}
