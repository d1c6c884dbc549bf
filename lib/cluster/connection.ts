// One authenticated, framed connection to another process of the cluster, over
// any pair of byte streams (a TCP socket for the built-in managers, anything a
// custom ClusterManager's `connect` returns). The connector sends the cookie
// first; the acceptor reads exactly the cookie's length, compares it in constant
// time, and closes the connection on a mismatch before reading any frame.
import type { Readable, Writable } from 'node:stream';
import { COOKIE_LENGTH, cookieMatches, getCookie } from './cookie.js';
import { FrameError, FrameReader, FrameWriter } from './framing.js';
import { clusterLog } from './log.js';
import { reusedReadsOf } from './link-socket.js';
import { decodeFrame, encodeForWire, FLAG_JSON, lastJsonFrameFlags } from './serializer.js';

/** A message between processes; `type` names its handler (see onMessage). */
export interface Message {
  type: string;
  [key: string]: unknown;
}

export type ConnectionRole = 'connector' | 'acceptor';

export interface ConnectionHandlers {
  /** A decoded message (handles rebuilt), in arrival order. */
  onMessage(conn: Connection, msg: Message): void;
  /** Once, when either stream ends, errors or is closed. */
  onClose(conn: Connection, reason: string): void;
}

/** How long an accepted connection may take to present its cookie. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

export class Connection {
  /** The process id at the other end; 0 until its first message says it. */
  peer = 0;
  /** For log lines: where the bytes come from. */
  readonly label: string;
  private readonly readable: Readable;
  private readonly writable: Writable;
  private readonly writer: FrameWriter;
  private readonly reader: FrameReader;
  private readonly handlers: ConnectionHandlers;
  private cookieBuf: Buffer | null = null;
  private cookieFill = 0;
  private handshakeTimer: NodeJS.Timeout | null = null;
  private closedFlag = false;
  /** Chunks arrive in a buffer that the next read overwrites (a link socket, link-socket.ts). */
  private readonly chunksReused: boolean;

  constructor(readable: Readable, writable: Writable, role: ConnectionRole, label: string, handlers: ConnectionHandlers) {
    this.readable = readable;
    this.writable = writable;
    this.label = label;
    this.handlers = handlers;
    this.writer = new FrameWriter(writable);
    this.reader = new FrameReader((buf, start, end) => this.onFrame(buf, start, end));
    if (role === 'connector') {
      this.writer.writeRaw(Buffer.from(getCookie(), 'latin1'));
    } else {
      this.cookieBuf = Buffer.alloc(COOKIE_LENGTH);
      this.handshakeTimer = setTimeout(() => this.fail('no cookie within the handshake timeout'), HANDSHAKE_TIMEOUT_MS);
      this.handshakeTimer.unref();
    }
    const reused = readable === (writable as unknown) ? reusedReadsOf(readable) : undefined;
    this.chunksReused = reused !== undefined;
    if (reused !== undefined) {
      reused.attach((chunk, length) => this.onData(chunk, length));
      this.writer.writeDirectTo(reused.fd);
    }
    // Also for a link socket, where it gets nothing: a flowing stream is what emits 'end'.
    readable.on('data', (chunk: Buffer) => this.onData(chunk));
    const closed = (why: string) => () => this.close(why);
    readable.on('end', closed('end of stream'));
    readable.on('close', closed('stream closed'));
    readable.on('error', (e: Error) => this.close(`stream error: ${e.message}`));
    if (writable !== (readable as unknown)) {
      writable.on('close', closed('stream closed'));
      writable.on('error', (e: Error) => this.close(`stream error: ${e.message}`));
    }
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Queues a message; it leaves with everything else queued in this turn. */
  send(msg: Message): void {
    if (this.closedFlag) return;
    const r = encodeForWire(msg, this.peer);
    if (typeof r === 'string') this.writer.writeStringFrame(lastJsonFrameFlags(), r);
    else this.writer.writeFrame(r);
  }

  /** Queues a message given as its JSON text (see membership's sendJsonText). */
  sendJsonText(text: string): void {
    if (this.closedFlag) return;
    this.writer.writeStringFrame(FLAG_JSON, text);
  }

  /** Writes what is queued, then ends the streams. */
  end(): void {
    if (this.closedFlag) return;
    this.writer.flush();
    this.writable.end();
  }

  /** Closes at once (queued frames are dropped) and reports `reason` to onClose. */
  close(reason: string): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    if (this.handshakeTimer !== null) clearTimeout(this.handshakeTimer);
    this.writer.close();
    this.readable.destroy();
    if (this.writable !== (this.readable as unknown)) this.writable.destroy();
    this.handlers.onClose(this, reason);
  }

  private fail(reason: string): void {
    clusterLog(`closing connection ${this.label}${this.peer ? ` (process ${this.peer})` : ''}: ${reason}`);
    this.close(reason);
  }

  /** Bytes [0, length) of `chunk` arrived. */
  private onData(chunk: Buffer, length = chunk.length): void {
    if (this.closedFlag) return;
    if (this.cookieBuf !== null) {
      chunk = chunk.subarray(0, length);
      const n = Math.min(COOKIE_LENGTH - this.cookieFill, length);
      chunk.copy(this.cookieBuf, this.cookieFill, 0, n);
      this.cookieFill += n;
      if (this.cookieFill < COOKIE_LENGTH) return;
      const ok = cookieMatches(this.cookieBuf);
      this.cookieBuf = null;
      if (this.handshakeTimer !== null) clearTimeout(this.handshakeTimer);
      this.handshakeTimer = null;
      if (!ok) return this.fail('wrong cookie');
      if (n === chunk.length) return;
      chunk = chunk.subarray(n);
      length = chunk.length;
    }
    try {
      this.reader.push(chunk, length);
    } catch (e) {
      this.fail(e instanceof FrameError ? e.message : `bad frame: ${(e as Error).message}`);
    }
  }

  private onFrame(buf: Buffer, start: number, end: number): void {
    if (this.closedFlag) return;
    // node:v8 hands out typed arrays and Buffers as views of its input: they must not view a
    // buffer the next read overwrites. (JSON.parse keeps nothing of its input.)
    if (this.chunksReused && (buf[start]! & FLAG_JSON) === 0) {
      buf = Buffer.from(buf.subarray(start, end));
      start = 0;
      end = buf.length;
    }
    let msg: unknown;
    try {
      msg = decodeFrame(buf, start, end, this.peer);
    } catch (e) {
      // Thrown out of FrameReader.push, caught in onData: closes this connection only.
      throw new FrameError(`malformed frame: ${(e as Error).message}`);
    }
    if (msg === null || typeof msg !== 'object' || typeof (msg as Message).type !== 'string') {
      throw new FrameError('malformed frame: not a message (an object with a string `type`)');
    }
    this.handlers.onMessage(this, msg as Message);
  }
}
