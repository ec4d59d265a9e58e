// Items handed from callbacks (messages, events) to one async reader, in order. Both sides of
// the reading thread use it: the thread for the body's chunks, the push for the thread's messages.

export class AsyncQueue<T> {
  private readonly items: T[] = [];
  private ended = false;
  private failure: { err: unknown } | null = null;
  private wake: (() => void) | null = null;

  /** `onTake` runs as each item is taken (the queue's writer may then send another). */
  constructor(private readonly onTake?: () => void) {}

  get length(): number {
    return this.items.length;
  }

  push(item: T): void {
    this.items.push(item);
    this.wake?.();
  }

  /** No more items: `take` answers undefined once the queue is empty. */
  end(): void {
    this.ended = true;
    this.wake?.();
  }

  /** `take` throws `err` from now on, before the items still queued. */
  fail(err: unknown): void {
    this.failure ??= { err };
    this.wake?.();
  }

  /** The next item, waiting for it; undefined once ended and empty. */
  async take(): Promise<T | undefined> {
    for (;;) {
      if (this.failure) throw this.failure.err;
      if (this.items.length) {
        const item = this.items.shift()!;
        this.onTake?.();
        return item;
      }
      if (this.ended) return undefined;
      await new Promise<void>((r) => (this.wake = r));
      this.wake = null;
    }
  }
}
