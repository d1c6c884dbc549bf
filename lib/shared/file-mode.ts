// The seed's file modes for file-backed SharedArrays and how each participant
// opens the file, so that only the creator ever truncates it.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileModes as modes, type FileMode } from '../native.js';

export type { FileMode };

/** `mode` as given, or the seed's default: `r+` when the file exists, `w+` when not. */
export function resolveFileMode(mode: unknown, absolutePath: string): FileMode {
  if (mode === undefined || mode === null) return existsSync(absolutePath) ? 'r+' : 'w+';
  if (typeof mode !== 'string' || !modes.includes(mode as FileMode)) {
    throw new RangeError(`mode must be one of ${modes.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(mode)}`);
  }
  return mode as FileMode;
}

export function isWritableMode(mode: FileMode): boolean {
  return mode !== 'r';
}

/** How a participant other than the creator opens the file: never truncating it again. */
export function attachMode(mode: FileMode): 'r' | 'r+' {
  return mode === 'r' ? 'r' : 'r+';
}

/** `filename` made absolute against this process's working directory, before any worker sees it. */
export function resolveFilename(filename: unknown): string {
  if (typeof filename !== 'string' || filename.length === 0) {
    throw new TypeError(`filename must be a non-empty string, got ${typeof filename === 'string' ? "''" : typeof filename}`);
  }
  return path.resolve(process.cwd(), filename);
}

export function validateOffset(offset: unknown): number {
  if (offset === undefined) return 0;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw new RangeError(`offset must be a non-negative integer byte count, got ${String(offset)}`);
  }
  return offset;
}
