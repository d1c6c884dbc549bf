// The wire's defences, against a real worker process: a wrong cookie, garbage
// bytes, a malformed frame, an oversized frame, and a first message that is not
// a hello each close that one connection, and the worker keeps serving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import v8 from 'node:v8';
import { addprocs, rmprocs } from 'loom';
import { managedWorker } from '../lib/cluster/addprocs.js';
import { getCookie } from '../lib/cluster/cookie.js';
import { echo, echoFixture } from './fixtures/cluster-client.js';

/** Connects to the worker's port, writes `bytes`, and resolves how the connection ended. */
function poke(port: number, bytes: Buffer): Promise<'closed by worker' | 'still open'> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      s.destroy();
      resolve('still open');
    }, 3000);
    s.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? undefined : reject(e)));
    s.on('close', () => {
      clearTimeout(timer);
      resolve('closed by worker');
    });
    s.on('connect', () => s.write(bytes));
    s.resume();
  });
}

function frame(body: Buffer, declaredLength = body.length): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt32BE(declaredLength, 0);
  return Buffer.concat([h, body]);
}

test('a worker rejects bad connections one by one and keeps serving', async (t) => {
  const [id] = await addprocs(1, { exeflags: ['--import', echoFixture] });
  t.after(() => rmprocs(id!));
  const port = managedWorker(id!)!.config.port!;
  const cookie = Buffer.from(getCookie(), 'latin1');
  const wrongCookie = Buffer.from('0'.repeat(32), 'latin1');
  const hello = Buffer.concat([Buffer.from([0]), v8.serialize({ type: 'cluster.hello', from: 99 })]);
  const notHello = Buffer.concat([Buffer.from([0]), v8.serialize({ type: 'test.echo', id: 1, value: 1 })]);

  const cases: [string, Buffer][] = [
    ['wrong cookie', Buffer.concat([wrongCookie, frame(hello)])],
    ['garbage bytes', randomBytes(4096)],
    ['malformed frame after the right cookie', Buffer.concat([cookie, frame(randomBytes(64))])],
    ['a frame that is not a message', Buffer.concat([cookie, frame(Buffer.concat([Buffer.from([0]), v8.serialize(42)]))])],
    ['oversized frame', Buffer.concat([cookie, frame(Buffer.alloc(16), 0xfffffff0)])],
    ['empty frame', Buffer.concat([cookie, frame(Buffer.alloc(0))])],
    ['first message not a hello', Buffer.concat([cookie, frame(notHello)])],
  ];
  for (const [name, bytes] of cases) {
    assert.equal(await poke(port, bytes), 'closed by worker', name);
    assert.equal(await echo(id!, name), name, `the worker still serves after: ${name}`);
  }
});
