// A one-line progress bar on stderr for long pmap runs: drawn at most ten
// times a second, only after `delayMs` (short runs never show it), and erased
// at the end so that the terminal is left as it was.
export class ProgressBar {
  readonly #total: number;
  readonly #started = Date.now();
  readonly #delayMs: number;
  #lastDraw = 0;
  #drawn = false;

  constructor(total: number, delayMs: number) {
    this.#total = total;
    this.#delayMs = delayMs;
  }

  update(done: number): void {
    const now = Date.now();
    if (now - this.#started < this.#delayMs || now - this.#lastDraw < 100) return;
    this.#lastDraw = now;
    const width = Math.max(10, Math.min(40, (process.stderr.columns ?? 80) - 40));
    const frac = this.#total === 0 ? 1 : done / this.#total;
    const filled = Math.round(frac * width);
    const elapsed = (now - this.#started) / 1000;
    const eta = frac > 0 ? (elapsed / frac - elapsed).toFixed(1) : '?';
    process.stderr.write(
      `\r\x1b[2Kpmap [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.#total} ${(frac * 100).toFixed(0)}% ETA ${eta} s`,
    );
    this.#drawn = true;
  }

  end(): void {
    if (this.#drawn) process.stderr.write('\r\x1b[2K');
    this.#drawn = false;
  }
}
