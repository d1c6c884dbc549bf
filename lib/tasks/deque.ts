// A growable ring buffer: O(1) push at the back and shift at the front without
// the re-indexing Array#shift does on large arrays. Capacity is a power of two.
export class Deque<T> {
  #items: (T | undefined)[];
  #head = 0;
  #length = 0;
  #mask: number;

  constructor(initialCapacity = 16) {
    let cap = 16;
    while (cap < initialCapacity) cap *= 2;
    this.#items = new Array<T | undefined>(cap);
    this.#mask = cap - 1;
  }

  get length(): number {
    return this.#length;
  }

  push(v: T): void {
    if (this.#length === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#length) & this.#mask] = v;
    this.#length++;
  }

  /** Removes the front element; call only when length > 0. */
  shift(): T {
    const i = this.#head;
    const v = this.#items[i] as T;
    this.#items[i] = undefined; // let the value be collected
    this.#head = (i + 1) & this.#mask;
    this.#length--;
    return v;
  }

  /** The front element; call only when length > 0. */
  peek(): T {
    return this.#items[this.#head] as T;
  }

  #grow(): void {
    const old = this.#items;
    const n = old.length;
    const items = new Array<T | undefined>(n * 2);
    for (let i = 0; i < n; i++) items[i] = old[(this.#head + i) & this.#mask];
    this.#items = items;
    this.#head = 0;
    this.#mask = n * 2 - 1;
  }
}
