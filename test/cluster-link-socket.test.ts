// The link socket between process 1 and a local worker (link-socket.ts), on a
// real socketpair from the addon: a Connection over it reads into one reused
// buffer and writes with write(2) directly. Bad input still closes just that
// connection with a logged reason; decoded typed arrays never view the reused
// buffer, nor do bytes read before a connection attached; a burst larger
// than the socket's buffer (writes the kernel refuses) arrives whole and in
// order.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import v8 from 'node:v8';
import { addon } from '../lib/native.js';
import { getCookie } from '../lib/cluster/cookie.js';
import { Connection, type Message } from '../lib/cluster/connection.js';
import { FLAG_JSON } from '../lib/cluster/serializer.js';
import { openLinkSocket, reusedReadsOf } from '../lib/cluster/link-socket.js';

const skip = typeof addon?.socketPair !== 'function' ? 'needs the native addon' : false;

interface Ends {
  conn: Connection;
  peer: net.Socket;
  messages: Message[];
  closed: Promise<string>;
}

/** A Connection over a link socket, and a plain socket on the pair's other end; both closed after the test. */
function linkPair(t: TestContext, role: 'acceptor' | 'connector' = 'acceptor'): Ends {
  const [a, b] = addon!.socketPair!();
  const link = openLinkSocket(a);
  assert.ok(reusedReadsOf(link), 'a link socket carries its reused reads');
  const peer = new net.Socket({ fd: b, readable: true, writable: true });
  peer.on('error', () => undefined);
  const messages: Message[] = [];
  let onClose!: (reason: string) => void;
  const closed = new Promise<string>((resolve) => (onClose = resolve));
  const conn = new Connection(link, link, role, 'test link', {
    onMessage: (_c, msg) => messages.push(msg),
    onClose: (_c, reason) => onClose(reason),
  });
  t.after(() => {
    conn.close('test over');
    peer.destroy();
  });
  return { conn, peer, messages, closed };
}

function frame(body: Buffer, declaredLength = body.length): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt32BE(declaredLength, 0);
  return Buffer.concat([h, body]);
}

function v8Body(msg: unknown): Buffer {
  return Buffer.concat([Buffer.from([0]), v8.serialize(msg)]);
}

/** Runs `f` with stderr captured; returns what was written. */
async function captureStderr(f: () => Promise<void>): Promise<string> {
  const write = process.stderr.write;
  let text = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    await f();
  } finally {
    process.stderr.write = write;
  }
  return text;
}

test('bad input on a link closes that connection with a logged reason', { skip }, async (t) => {
  const cookie = Buffer.from(getCookie(), 'latin1');
  const cases: [string, Buffer, RegExp][] = [
    ['wrong cookie', Buffer.concat([Buffer.from('0'.repeat(32), 'latin1'), frame(v8Body({ type: 'x' }))]), /wrong cookie/],
    ['garbage after the cookie', Buffer.concat([cookie, Buffer.from([0, 0, 0, 8, 0, 1, 2, 3, 4, 5, 6, 7])]), /malformed frame/],
    ['oversized frame', Buffer.concat([cookie, frame(Buffer.alloc(16), 0xfffffff0)]), /oversized frame/],
    ['not a message', Buffer.concat([cookie, frame(v8Body(42))]), /not a message/],
  ];
  for (const [name, bytes, why] of cases) {
    const { conn, peer, closed } = linkPair(t);
    const log = await captureStderr(async () => {
      peer.write(bytes);
      assert.match(await closed, why, name);
    });
    assert.match(log, new RegExp(`closing connection test link: .*${why.source}`), `${name} is logged`);
    assert.equal(conn.closed, true);
    // The link's end is gone: the other end sees the connection end.
    peer.resume();
    await new Promise<void>((resolve) => (peer.destroyed ? resolve() : peer.once('close', () => resolve())));
  }
});

test('typed arrays decoded from a link keep their bytes after later reads reused the buffer', { skip }, async (t) => {
  const { peer, messages } = linkPair(t);
  peer.write(Buffer.from(getCookie(), 'latin1'));
  const count = 200;
  for (let k = 0; k < count; k++) {
    // One write each, so that many reads go through the same buffer.
    peer.write(frame(v8Body({ type: 'test.arrays', k, f: new Float64Array(64).fill(k + 0.5), b: Buffer.alloc(100, k) })));
    if (k % 20 === 19) await new Promise((r) => setImmediate(r));
  }
  // And a JSON frame, which needs no copy.
  peer.write(frame(Buffer.concat([Buffer.from([FLAG_JSON]), Buffer.from(JSON.stringify({ type: 'test.json', s: 'after' }))])));
  while (messages.length < count + 1) await new Promise((r) => setTimeout(r, 5));
  for (let k = 0; k < count; k++) {
    const m = messages[k] as Message & { k: number; f: Float64Array; b: Buffer };
    assert.equal(m.k, k);
    assert.ok(m.f.every((v) => v === k + 0.5), `Float64Array of message ${k}`);
    assert.ok(m.b.length === 100 && m.b.every((v) => v === (k & 255)), `Buffer of message ${k}`);
  }
  assert.deepEqual(messages[count], { type: 'test.json', s: 'after' });
});

test('bytes that arrive before a connection attaches are kept for it (copied out of the reused buffer)', { skip }, async (t) => {
  const [a, b] = addon!.socketPair!();
  const link = openLinkSocket(a);
  const peer = new net.Socket({ fd: b, readable: true, writable: true });
  t.after(() => {
    link.destroy();
    peer.destroy();
  });
  peer.write(Buffer.from(getCookie(), 'latin1'));
  peer.write(frame(v8Body({ type: 'test.early', f: new Float64Array(8).fill(1.5) })));
  // Let the reads happen with nobody attached, then more bytes through the same buffer.
  await new Promise((r) => setTimeout(r, 50));
  peer.write(frame(v8Body({ type: 'test.late', f: new Float64Array(8).fill(2.5) })));
  await new Promise((r) => setTimeout(r, 50));
  const messages: Message[] = [];
  const conn = new Connection(link, link, 'acceptor', 'test link', { onMessage: (_c, m) => messages.push(m), onClose: () => undefined });
  t.after(() => conn.close('test over'));
  while (messages.length < 2) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(
    messages.map((m) => [m.type, [...(m.f as Float64Array)]]),
    [
      ['test.early', Array(8).fill(1.5)],
      ['test.late', Array(8).fill(2.5)],
    ],
  );
});

test('a burst larger than the socket buffer arrives whole and in order (direct writes fall back to the stream)', { skip }, async (t) => {
  const { conn, peer } = linkPair(t, 'connector');
  peer.pause(); // the kernel buffer fills: write(2) takes part, then refuses
  const n = 3000;
  const payload = 'x'.repeat(3000);
  for (let i = 0; i < n; i++) {
    conn.send({ type: 'test.burst', i, payload });
    if (i % 100 === 99) await new Promise((r) => setImmediate(r));
  }
  const chunks: Buffer[] = [];
  let size = 0;
  peer.on('data', (c: Buffer) => {
    chunks.push(c);
    size += c.length;
  });
  peer.resume();
  const cookieBytes = 32;
  let got: number[] = [];
  await new Promise<void>((resolve) => {
    const check = () => {
      const all = Buffer.concat(chunks).subarray(cookieBytes);
      got = [];
      let off = 0;
      while (off + 4 <= all.length) {
        const len = all.readUInt32BE(off);
        if (off + 4 + len > all.length) break;
        const body = all.subarray(off + 5, off + 4 + len);
        got.push((JSON.parse(body.toString('utf8')) as { i: number }).i);
        off += 4 + len;
      }
      if (got.length === n) resolve();
      else setTimeout(check, 20);
    };
    check();
  });
  assert.ok(size > 4 * 1024 * 1024, 'the burst was larger than any socket buffer');
  assert.deepEqual(got, Array.from({ length: n }, (_, i) => i));
});
