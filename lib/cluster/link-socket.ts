// A link socket: one end of the Unix socketpair between process 1 and a local
// worker (the worker's end on its fd 3; process 1's from master-link.ts),
// opened with net's `onread`: every read lands in one reused buffer and goes
// straight from the handle to the connection (no allocation, no Readable
// 'data' machinery per read), and the connection's flushes may write(2) to
// the descriptor directly while the stream holds nothing
// (FrameWriter.writeDirectTo). A Connection over such a socket finds both
// through `reusedReadsOf` and sets them up itself, so that callers pass the
// socket around like any other stream.
//
// The bytes of a read are valid only during the call that delivers them: a
// reader must copy whatever it keeps (Connection copies the frames node:v8
// decodes, whose typed arrays would otherwise view the reused buffer).
import net from 'node:net';

/** Size of the reused read buffer of one link (a read takes at most this much). */
const READ_BYTES = 64 * 1024;

const kReusedReads = Symbol('loom.reusedReads');

/** The reading side of a link socket, and the descriptor its writes may go to directly. */
export class ReusedReads {
  readonly fd: number;
  private sink: ((chunk: Buffer, length: number) => void) | null = null;
  /** Copies of what arrived before a reader attached (normally nothing: the worker speaks second). */
  private early: Buffer[] | null = [];

  constructor(fd: number) {
    this.fd = fd;
  }

  /** Sends every read to `sink` (its first `length` bytes) from now on, starting with those that came before. */
  attach(sink: (chunk: Buffer, length: number) => void): void {
    const early = this.early ?? [];
    this.early = null;
    this.sink = sink;
    for (const chunk of early) sink(chunk, chunk.length);
  }

  /** Called by the socket's `onread` with the reused buffer. */
  deliver(buf: Buffer, n: number): void {
    if (this.sink !== null) this.sink(buf, n);
    else this.early?.push(Buffer.from(buf.subarray(0, n)));
  }
}

/**
 * Opens a connected stream socket descriptor (one end of a socketpair) as a
 * net.Socket that reads into one reused buffer. The socket owns `fd` from now
 * on: destroying it closes the descriptor.
 */
export function openLinkSocket(fd: number): net.Socket {
  const reads = new ReusedReads(fd);
  const buffer = Buffer.allocUnsafe(READ_BYTES);
  // The constructor honours `onread` for an `fd` socket as connect() does (Node 20 and later);
  // @types/node lists it for connect() only.
  const options: net.SocketConstructorOpts & Pick<net.TcpSocketConnectOpts, 'onread'> = {
    fd,
    readable: true,
    writable: true,
    onread: {
      buffer,
      callback: (n: number): boolean => {
        reads.deliver(buffer, n);
        return true;
      },
    },
  };
  const socket = new net.Socket(options);
  (socket as net.Socket & { [kReusedReads]?: ReusedReads })[kReusedReads] = reads;
  return socket;
}

/** The reused-buffer reads of a socket made by openLinkSocket; undefined for any other stream. */
export function reusedReadsOf(stream: unknown): ReusedReads | undefined {
  return (stream as { [kReusedReads]?: ReusedReads } | null)?.[kReusedReads];
}
