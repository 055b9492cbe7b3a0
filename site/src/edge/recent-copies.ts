/** A page as kept for sharing: its bytes are read once and copied for every answer. */
export type PageCopy = {
  status: number;
  statusText: string;
  headers: Headers;
  body: ArrayBuffer;
  /** When it was rendered, in ms since the epoch. */
  storedAt: number;
};

/**
 * The most recently used fresh copies, held in this isolate's memory in front of the Cache
 * API, up to a byte budget; the least recently used go first. Asking the Cache API costs
 * more than serving a page from memory, and a busy page is asked for many times a second.
 */
export class RecentCopies {
  readonly #copies = new Map<string, PageCopy>();
  #bytes = 0;

  constructor(readonly budget: number) {}

  get(key: string): PageCopy | undefined {
    const copy = this.#copies.get(key);
    if (copy) {
      this.#copies.delete(key);
      this.#copies.set(key, copy);
    }
    return copy;
  }

  set(key: string, copy: PageCopy) {
    this.delete(key);
    if (copy.body.byteLength > this.budget) return;
    this.#copies.set(key, copy);
    this.#bytes += copy.body.byteLength;
    for (const [oldest, { body }] of this.#copies) {
      if (this.#bytes <= this.budget) break;
      this.#copies.delete(oldest);
      this.#bytes -= body.byteLength;
    }
  }

  delete(key: string) {
    const copy = this.#copies.get(key);
    if (!copy) return;
    this.#copies.delete(key);
    this.#bytes -= copy.body.byteLength;
  }
}
