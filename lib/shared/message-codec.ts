// How a SharedChannel value becomes the bytes of one ring slot: numbers, strings
// and typed arrays take a short path (one tag byte, then the raw bytes); anything
// else goes through node:v8's structured serialization.
import v8 from 'node:v8';
import { elementConstructor, elementTypeNames, type ElementTypeName } from './element-types.js';

const enum Tag {
  Number = 0,
  String = 1,
  TypedArray = 2,
  Structured = 3,
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function typeCodeOf(v: ArrayBufferView): number {
  const name = (Object.getPrototypeOf(Object.getPrototypeOf(v)) === Uint8Array.prototype ? 'Uint8Array' : v.constructor.name) as ElementTypeName;
  return elementTypeNames.indexOf(name);
}

/** The bytes of one message; a RangeError when they exceed `maxBytes` (the channel's slot). */
export function encodeMessage(value: unknown, maxBytes: number): Uint8Array {
  let out: Uint8Array;
  let code = -1;
  if (typeof value === 'number') {
    out = new Uint8Array(9);
    out[0] = Tag.Number;
    new DataView(out.buffer).setFloat64(1, value, true);
  } else if (typeof value === 'string') {
    // Worst case 3 bytes per UTF-16 unit: encode into place, no intermediate copy.
    out = new Uint8Array(1 + value.length * 3);
    out[0] = Tag.String;
    const { written } = encoder.encodeInto(value, out.subarray(1));
    out = out.subarray(0, 1 + written);
  } else if (ArrayBuffer.isView(value) && !(value instanceof DataView) && (code = typeCodeOf(value)) >= 0) {
    out = new Uint8Array(2 + value.byteLength);
    out[0] = Tag.TypedArray;
    out[1] = code;
    out.set(new Uint8Array(value.buffer, value.byteOffset, value.byteLength), 2);
  } else {
    const body = v8.serialize(value);
    out = new Uint8Array(1 + body.byteLength);
    out[0] = Tag.Structured;
    out.set(body, 1);
  }
  if (out.byteLength > maxBytes) {
    throw new RangeError(
      `a SharedChannel message of ${out.byteLength} bytes (encoded) exceeds the ${maxBytes}-byte messages ` +
        `this channel was created for (its slotSize option)`,
    );
  }
  return out;
}

/** The value of one message (a typed array comes back as a fresh copy of its type). */
export function decodeMessage(bytes: Uint8Array): unknown {
  switch (bytes[0]) {
    case Tag.Number:
      return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getFloat64(1, true);
    case Tag.String:
      return decoder.decode(bytes.subarray(1));
    case Tag.TypedArray: {
      const T = elementConstructor(elementTypeNames[bytes[1] as number] as string);
      const copy = bytes.slice(2);
      return new T(copy.buffer, 0, copy.byteLength / T.BYTES_PER_ELEMENT);
    }
    case Tag.Structured:
      return v8.deserialize(bytes.subarray(1));
    default:
      throw new TypeError(`corrupt SharedChannel message (tag ${bytes[0]})`);
  }
}
