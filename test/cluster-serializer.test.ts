// Values across processes: what node:v8 carries as it is, handles replaced by
// tagged data and rebuilt (inside objects, arrays, Maps and Sets), and Errors
// with their class, stack, cause chain and own properties.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProcessExitedException, RemoteException } from 'loom';
import { decodeMessage, encodeMessage, FLAG_HANDLES, FLAG_JSON, registerHandle } from '../lib/cluster/serializer.js';

const roundTrip = <T>(v: T, to = 2, from = 2): T => decodeMessage(encodeMessage(v, to), from) as T;

test('plain values, typed arrays, Dates, RegExps, BigInts, Maps and Sets go through v8 as they are', () => {
  const v = {
    type: 'x',
    n: 1.5,
    s: 'ü',
    big: 2n ** 70n,
    d: new Date(5),
    r: /a+b/gi,
    f64: new Float64Array([1, 2, 3]),
    ab: new Uint8Array([9, 8]).buffer,
    m: new Map<unknown, unknown>([['k', new Set([1, 2])]]),
    nested: [{ a: [null, undefined] }],
  };
  const body = encodeMessage(v, 2);
  assert.equal(body[0]! & FLAG_HANDLES, 0, 'no handle, no flag');
  assert.deepEqual(decodeMessage(body, 2), v);
});

test('small plain messages take the JSON path; anything JSON would change takes v8, with the same result', () => {
  const plain = { type: 'call', id: 7, args: ['s', 1.5, true, null, { nested: [1, 2, 3] }], '\u0000odd key': 'x' };
  const body = encodeMessage(plain, 2);
  assert.equal(body[0]! & FLAG_JSON, FLAG_JSON);
  assert.deepEqual(decodeMessage(body, 2), plain);
  const shared = { k: 1 };
  const tricky: [string, unknown][] = [
    ['minus zero', -0],
    ['NaN', NaN],
    ['Infinity', -Infinity],
    ['undefined', { u: undefined }],
    ['a hole', [1, , 3]], // eslint-disable-line no-sparse-arrays
    ['a bigint', 1n],
    ['a shared reference', [shared, shared]],
    ['a long array', Array.from({ length: 1000 }, (_, i) => i)],
    ['a lone surrogate', '\ud800'],
  ];
  for (const [what, value] of tricky) {
    const b = encodeMessage({ type: 't', value }, 2);
    const back = (decodeMessage(b, 2) as { value: unknown }).value;
    assert.deepEqual(back, value, what);
    if (what !== 'a lone surrogate') assert.equal(b[0]! & FLAG_JSON, 0, `${what} goes through v8`);
  }
  const back = (decodeMessage(encodeMessage({ type: 't', value: [shared, shared] }, 2), 2) as { value: object[] }).value;
  assert.equal(back[0], back[1], 'identity of shared references is kept');
  assert.ok(Object.is((decodeMessage(encodeMessage({ type: 't', value: -0 }, 2), 2) as { value: number }).value, -0));
});

test('cyclic payloads survive', () => {
  const a: { self?: unknown; list: unknown[] } = { list: [] };
  a.self = a;
  a.list.push(a);
  const b = roundTrip(a);
  assert.equal(b.self, b);
  assert.equal(b.list[0], b);
});

test('shared references are found among many containers, before and after the memo outgrows its short list', () => {
  const early = { e: 1 };
  const many = Array.from({ length: 40 }, (_, i) => ({ i }));
  const distinct = encodeMessage({ type: 't', items: many }, 2);
  assert.equal(distinct[0]! & FLAG_JSON, FLAG_JSON, '41 distinct containers, nothing shared: still JSON');
  const late = many[30]!;
  const msg = { type: 't', first: early, items: many, again: [early, late] };
  const body = encodeMessage(msg, 2);
  assert.equal(body[0]! & FLAG_JSON, 0, 'shared references go through v8');
  const back = decodeMessage(body, 2) as typeof msg;
  assert.equal(back.again[0], back.first, 'a container seen while the memo was a list');
  assert.equal(back.again[1], back.items[30], 'a container seen after it became a Map');
  assert.deepEqual(back, msg);
  // The next message starts with an empty memo: nothing of the last one is taken for shared.
  assert.equal(encodeMessage({ type: 't', first: early }, 2)[0]! & FLAG_JSON, FLAG_JSON);
});

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

test('a registered handle is encoded for its destination and decoded with its origin, wherever it sits', () => {
  const seen: [string, number][] = [];
  registerHandle<Point>({
    tag: 'test-point',
    is: (v): v is Point => v instanceof Point,
    encode: (p, to) => (seen.push(['encode', to]), [p.x, p.y]),
    decode: (d, from) => (seen.push(['decode', from]), new Point(...(d as [number, number]))),
  });
  const original = { type: 't', p: new Point(1, 2), arr: [new Point(3, 4)], m: new Map([['k', new Point(5, 6)]]), s: new Set([new Point(7, 8)]) };
  const body = encodeMessage(original, 7);
  assert.equal(body[0]! & FLAG_HANDLES, FLAG_HANDLES);
  assert.ok(original.p instanceof Point, 'the caller’s value is not mutated');
  const back = decodeMessage(body, 9) as typeof original;
  assert.ok(back.p instanceof Point && back.p.x === 1 && back.p.y === 2);
  assert.ok(back.arr[0] instanceof Point && back.arr[0].y === 4);
  assert.ok(back.m.get('k') instanceof Point);
  assert.ok([...back.s][0] instanceof Point);
  assert.deepEqual(seen.filter(([k]) => k === 'encode').map(([, p]) => p), [7, 7, 7, 7]);
  assert.deepEqual(seen.filter(([k]) => k === 'decode').map(([, p]) => p), [9, 9, 9, 9]);
});

test('Errors keep class, name, message, stack, cause chain and own properties', () => {
  const root = new RangeError('too big');
  const mid = new TypeError('bad input', { cause: root });
  const top = Object.assign(new Error('outer', { cause: mid }), { code: 'E_OUTER', detail: { n: 1 } });
  const custom = new Error('custom');
  custom.name = 'MyError';
  const pe = new ProcessExitedException(4);
  const re = new RemoteException(3, new SyntaxError('oops'));
  const back = roundTrip({ top, custom, pe, re, list: [new Error('in array')] });
  assert.ok(back.top instanceof Error);
  assert.equal(back.top.message, 'outer');
  assert.equal(back.top.stack, top.stack);
  assert.equal((back.top as unknown as { code: string }).code, 'E_OUTER');
  assert.deepEqual((back.top as unknown as { detail: unknown }).detail, { n: 1 });
  const c1 = back.top.cause as Error;
  assert.ok(c1 instanceof TypeError);
  assert.ok(c1.cause instanceof RangeError);
  assert.equal((c1.cause as Error).message, 'too big');
  assert.equal(back.custom.name, 'MyError');
  assert.ok(back.pe instanceof ProcessExitedException);
  assert.equal(back.pe.pid, 4);
  assert.ok(back.re instanceof RemoteException);
  assert.equal(back.re.pid, 3);
  assert.ok(back.re.cause instanceof SyntaxError);
  assert.equal(back.list[0]!.message, 'in array');
});

test('a value v8 cannot clone (a WeakMap) is refused with a DataCloneError', () => {
  assert.throws(() => encodeMessage({ type: 'x', w: new WeakMap() }, 2), /could not be cloned/);
});
