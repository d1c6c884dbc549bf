// The wire's framing: every frame is a 4-byte big-endian body length, then the
// body (one flags byte, then the node:v8 bytes of one message). A connection
// starts with the connector's 32-byte cookie, before the first frame.
//
// Costs matter here: the remote layer's pipelined calls ride on this. Frames
// queued in one turn of the event loop leave in ONE write (one syscall; small
// frames share one buffer); on the receive side a frame that lies wholly inside
// a chunk is handed on as a range of that chunk, never copied (nor viewed: a
// Buffer view costs an allocation).
import { writeSync, writevSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { queueJob } from './microtask.js';
import { nativeRuntime } from './native-runtime.js';
import { insideInterruptibleRun } from './run-state.js';

/** A frame body larger than this closes the connection (a malformed or hostile peer). */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024 * 1024;

const HEADER_BYTES = 4;

/** Why a FrameReader refused its input; the connection closes with this message. */
export class FrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrameError';
  }
}

/**
 * Splits a byte stream into frame bodies. Not a Transform stream on purpose:
 * a callback per frame avoids the stream machinery's per-chunk cost.
 */
/** Receives one frame body: bytes [start, end) of `buf` (valid during the call only). */
export type FrameSink = (buf: Buffer, start: number, end: number) => void;

export class FrameReader {
  private readonly onFrame: FrameSink;
  private readonly maxFrameBytes: number;
  private header = Buffer.alloc(HEADER_BYTES);
  private headerFill = 0;
  /** The body being assembled across chunks, when one straddles them. */
  private body: Buffer | null = null;
  private bodyFill = 0;
  private failed = false;

  constructor(onFrame: FrameSink, maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {
    this.onFrame = onFrame;
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Feeds bytes [0, end) of `chunk`; throws FrameError on a bad length (the reader is then dead). */
  push(chunk: Buffer, end = chunk.length): void {
    if (this.failed) return;
    let off = 0;
    while (off < end) {
      if (this.body !== null) {
        const n = Math.min(this.body.length - this.bodyFill, end - off);
        chunk.copy(this.body, this.bodyFill, off, off + n);
        this.bodyFill += n;
        off += n;
        if (this.bodyFill < this.body.length) return;
        const body = this.body;
        this.body = null;
        this.bodyFill = 0;
        this.onFrame(body, 0, body.length);
        continue;
      }
      let len: number;
      if (this.headerFill === 0 && end - off >= HEADER_BYTES) {
        len = chunk.readUInt32BE(off);
        off += HEADER_BYTES;
      } else {
        const n = Math.min(HEADER_BYTES - this.headerFill, end - off);
        chunk.copy(this.header, this.headerFill, off, off + n);
        this.headerFill += n;
        off += n;
        if (this.headerFill < HEADER_BYTES) return;
        this.headerFill = 0;
        len = this.header.readUInt32BE(0);
      }
      this.checkLength(len);
      if (end - off >= len) {
        const start = off;
        off += len;
        this.onFrame(chunk, start, off);
      } else {
        this.body = Buffer.allocUnsafe(len);
        this.bodyFill = 0;
      }
    }
  }

  private checkLength(len: number): void {
    if (len === 0) {
      this.failed = true;
      throw new FrameError('malformed frame: empty body');
    }
    if (len > this.maxFrameBytes) {
      this.failed = true;
      throw new FrameError(`oversized frame: ${len} bytes (the limit is ${this.maxFrameBytes})`);
    }
  }
}

/** Hands queue[from..] to the stream: one write, or one writev for several. */
function toStream(out: Writable, queue: Buffer[], from: number): void {
  if (from === queue.length - 1) {
    out.write(queue[from]);
    return;
  }
  out.cork();
  for (let i = from; i < queue.length; i++) out.write(queue[i]);
  out.uncork();
}

/** Size of the buffers small frames are written into. */
const CHUNK_BYTES = 64 * 1024;
/** Bodies up to this size are copied into the chunk; larger ones are queued as they are. */
const COPY_LIMIT = 8 * 1024;
/**
 * Once this many bytes of small frames wait, they leave at once rather than at
 * the end of the turn: a burst (pipelined calls, their replies) then reaches
 * the peer in slices that it works on while this process encodes the rest
 * (~20% more calls/s with 256 in flight than one write per turn).
 */
const EARLY_FLUSH_BYTES = 4 * 1024;

/**
 * Queues frames and writes everything queued in one event-loop turn at once.
 * Small frames are written straight into a shared chunk (header, flags and
 * payload side by side: no per-frame allocation); each flush hands the filled
 * part of the chunk to the stream and goes on filling the rest. The flush is a
 * microtask queued behind the first frame: everything a batch of incoming
 * messages produces synchronously, and the continuations their replies
 * resolved (queued before it), still join that write, while a lone round trip
 * leaves without waiting for the loop's check phase (a `setImmediate` flush
 * cost each side an extra non-blocking epoll and an Immediate per turn).
 */
export class FrameWriter {
  private queue: Buffer[] = [];
  private chunk: Buffer | null = null;
  /** The chunk's bytes [start, used) are written but not yet flushed. */
  private start = 0;
  private used = 0;
  private scheduled = false;
  private readonly out: Writable;
  private closed = false;
  /** Bound once: a closure per scheduled flush would be garbage per turn. */
  private readonly flushSoon = (): void => this.flush();
  /** The descriptor under `out`, when flushes may write to it directly (see writeDirectTo). */
  private fd = -1;

  constructor(out: Writable) {
    this.out = out;
  }

  /**
   * Lets flushes write(2) to `fd`, the descriptor under `out`, while the
   * stream holds nothing: no Writable machinery and no write request per
   * flush. What the kernel does not take at once (a full socket buffer, or
   * an error for the stream to report) goes through the stream, behind
   * which later flushes then queue, so the order holds.
   */
  writeDirectTo(fd: number): void {
    this.fd = fd;
  }

  /** Raw bytes before any frame (the cookie); must be the first thing written. */
  writeRaw(bytes: Buffer): void {
    if (this.closed) return;
    this.sealChunk();
    this.queue.push(bytes);
    this.schedule();
  }

  /** A frame whose body (flags byte included) is already a Buffer. */
  writeFrame(body: Buffer): void {
    if (this.closed) return;
    if (body.length <= COPY_LIMIT) {
      const at = this.reserve(HEADER_BYTES + body.length);
      const c = this.chunk!;
      c.writeUInt32BE(body.length, at);
      body.copy(c, at + HEADER_BYTES);
      this.used = at + HEADER_BYTES + body.length;
    } else {
      this.sealChunk();
      const header = Buffer.allocUnsafe(HEADER_BYTES);
      header.writeUInt32BE(body.length, 0);
      this.queue.push(header, body);
    }
    this.schedule();
  }

  /** A frame whose body is the flags byte and then `text` in UTF-8 (the serializer's JSON path). */
  writeStringFrame(flags: number, text: string): void {
    if (this.closed) return;
    const most = HEADER_BYTES + 1 + text.length * 3;
    if (most > CHUNK_BYTES) {
      const body = Buffer.from(` ${text}`, 'utf8');
      body[0] = flags;
      this.writeFrame(body);
      return;
    }
    const at = this.reserve(most);
    const c = this.chunk!;
    const n = c.write(text, at + HEADER_BYTES + 1, 'utf8');
    c.writeUInt32BE(n + 1, at);
    c[at + HEADER_BYTES] = flags;
    this.used = at + HEADER_BYTES + 1 + n;
    this.schedule();
  }

  /** Writes what is queued now (also used right before a deliberate close). */
  flush(): void {
    this.scheduled = false;
    this.writeOut();
  }

  private writeOut(): void {
    const out = this.out;
    if (this.closed) return;
    // (Never inside an interruptible run: an interrupt between the syscall and the bookkeeping
    // of a partial write would lose the rest of the frame.)
    let direct = this.fd >= 0 && out.writableLength === 0 && !insideInterruptibleRun() && !out.destroyed && out.writable;
    if (direct && this.queue.length === 0 && this.used > this.start) {
      // The common case, one turn's frames in the chunk and nothing else: one write(2) straight
      // from the chunk, no Buffer view or queue made for it.
      const writeSome = nativeRuntime()?.writeSome;
      if (writeSome !== undefined) {
        const n = writeSome(this.fd, this.chunk!, this.start, this.used);
        if (n > 0) this.start += n;
        if (this.start === this.used) return;
        // A full socket (or an error for the stream to report): the stream takes the rest.
        direct = false;
      }
    }
    this.sealChunk();
    if (this.queue.length === 0) return;
    const queue = this.queue;
    this.queue = [];
    if (out.destroyed || !out.writable) return;
    if (direct) this.writeDirect(out, queue);
    else toStream(out, queue, 0);
  }

  /** One write(2) or writev(2) of `queue`; the stream takes what the kernel left. */
  private writeDirect(out: Writable, queue: Buffer[]): void {
    let n = 0;
    try {
      n = queue.length === 1 ? writeSync(this.fd, queue[0]!) : writevSync(this.fd, queue);
    } catch {
      // EAGAIN (the socket's buffer is full) or a real error: the stream takes the bytes and reports it.
    }
    let i = 0;
    while (i < queue.length && n >= queue[i]!.length) n -= queue[i++]!.length;
    if (i === queue.length) return;
    if (n > 0) queue[i] = queue[i]!.subarray(n);
    toStream(out, queue, i);
  }

  close(): void {
    this.closed = true;
    this.queue = [];
    this.chunk = null;
  }

  /** Returns the offset where `n` bytes may be written in the chunk (a new chunk if needed). */
  private reserve(n: number): number {
    if (this.chunk === null || this.chunk.length - this.used < n) {
      this.sealChunk();
      this.chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, n));
      this.start = 0;
      this.used = 0;
    }
    return this.used;
  }

  /** Moves the chunk's written bytes to the queue (order with other queued buffers kept). */
  private sealChunk(): void {
    if (this.chunk !== null && this.used > this.start) {
      this.queue.push(this.chunk.subarray(this.start, this.used));
      this.start = this.used;
    }
  }

  private schedule(): void {
    // Not inside an interruptible run: an interrupt must never break off a stream write half done.
    if (this.used - this.start >= EARLY_FLUSH_BYTES && !insideInterruptibleRun()) {
      this.writeOut();
      return;
    }
    if (this.scheduled) return;
    // Queued before it is marked: an interrupt in between costs an extra flush (a no-op), never
    // a writer that believes a flush is coming.
    queueJob(this.flushSoon);
    this.scheduled = true;
  }
}
