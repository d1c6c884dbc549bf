// The wire's framing: every frame is a 4-byte big-endian body length, then the
// body (one flags byte, then the node:v8 bytes of one message). A connection
// starts with the connector's 32-byte cookie, before the first frame.
//
// Costs matter here: the remote layer's pipelined calls ride on this. Frames
// queued in one turn of the event loop leave in ONE write (one allocation, one
// syscall); on the receive side a frame that lies wholly inside a chunk is
// handed on as a view of that chunk, never copied.
import type { Writable } from 'node:stream';

/** A frame body larger than this closes the connection (a malformed or hostile peer). */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024 * 1024;

const HEADER_BYTES = 4;
/** Above this many queued bytes a flush hands the buffers to the stream one by one (no big copy). */
const COALESCE_LIMIT = 1024 * 1024;

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
export class FrameReader {
  private readonly onFrame: (body: Buffer) => void;
  private readonly maxFrameBytes: number;
  private header = Buffer.alloc(HEADER_BYTES);
  private headerFill = 0;
  /** The body being assembled across chunks, when one straddles them. */
  private body: Buffer | null = null;
  private bodyFill = 0;
  private failed = false;

  constructor(onFrame: (body: Buffer) => void, maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {
    this.onFrame = onFrame;
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Feeds one chunk; throws FrameError on a bad length (the reader is then dead). */
  push(chunk: Buffer): void {
    if (this.failed) return;
    let off = 0;
    const end = chunk.length;
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
        this.onFrame(body);
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
        const body = chunk.subarray(off, off + len);
        off += len;
        this.onFrame(body);
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

/**
 * Queues frame bodies and writes everything queued in one event-loop turn at
 * once. `setImmediate` rather than `nextTick`: replies produced by promise
 * continuations of one incoming batch still join the same write.
 */
export class FrameWriter {
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private scheduled = false;
  private out: Writable | null;
  private closed = false;

  /** `out` may be attached later (frames queue meanwhile, e.g. while a TCP connect is in flight). */
  constructor(out: Writable | null = null) {
    this.out = out;
  }

  attach(out: Writable): void {
    this.out = out;
    if (this.queue.length > 0) this.schedule();
  }

  /** Raw bytes before any frame (the cookie); goes out ahead of queued frames. */
  writeRaw(bytes: Buffer): void {
    if (this.closed) return;
    this.queue.unshift(bytes);
    this.queuedBytes += bytes.length;
    this.schedule();
  }

  writeFrame(body: Buffer): void {
    if (this.closed) return;
    const header = Buffer.allocUnsafe(HEADER_BYTES);
    header.writeUInt32BE(body.length, 0);
    this.queue.push(header, body);
    this.queuedBytes += HEADER_BYTES + body.length;
    this.schedule();
  }

  /** Writes what is queued now (also used right before a deliberate close). */
  flush(): void {
    this.scheduled = false;
    const out = this.out;
    if (out === null || this.queue.length === 0 || this.closed) return;
    const queue = this.queue;
    const bytes = this.queuedBytes;
    this.queue = [];
    this.queuedBytes = 0;
    if (out.destroyed || !out.writable) return;
    if (queue.length === 1) {
      out.write(queue[0]);
    } else if (bytes <= COALESCE_LIMIT) {
      out.write(Buffer.concat(queue, bytes));
    } else {
      out.cork();
      for (const b of queue) out.write(b);
      process.nextTick(() => out.uncork());
    }
  }

  close(): void {
    this.closed = true;
    this.queue = [];
    this.queuedBytes = 0;
  }

  private schedule(): void {
    if (this.scheduled || this.out === null) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }
}
