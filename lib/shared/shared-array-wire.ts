// What travels when a SharedArray is passed to another process: where its memory
// is (a segment name or a file), its element type and shape, and who may map it.
import type { ElementTypeName } from './element-types.js';
import type { FileMode } from './file-mode.js';

/** The backing memory: a POSIX segment, a file, process-local memory, or nothing (zero bytes). */
export type SharedArrayBacking = 'shm' | 'file' | 'local' | 'empty';

export interface SharedArrayWire {
  /** Unique per array: `loom-<creatorpid>-<hex>` (the segment's name for 'shm'). */
  readonly id: string;
  readonly backing: SharedArrayBacking;
  /** The segment name, or the absolute path of the file. */
  readonly name: string;
  readonly type: ElementTypeName;
  readonly dims: readonly number[];
  readonly byteLength: number;
  /** Byte offset into the file (0 for segments). */
  readonly offset: number;
  /** The file mode the creator used (`'r+'` for segments). */
  readonly mode: FileMode;
  readonly pids: readonly number[];
  /** loom id of the process that created it. */
  readonly creator: number;
}

export function isSharedArrayWire(v: unknown): v is SharedArrayWire {
  const w = v as SharedArrayWire;
  return typeof v === 'object' && v !== null && typeof w.id === 'string' && typeof w.type === 'string' && Array.isArray(w.dims);
}
