// The push's side of the reading thread (reading-worker.ts): the body goes there in chunks, and
// checked batches come back. One thread per process, started with the first push that needs it
// and kept (it holds no state between pushes); it keeps the process alive only while it reads.
import { Worker } from 'node:worker_threads';
import { DocumentError } from '../erp/errors.js';
import type { DocumentFormat } from '../erp/record.js';
import type { Settings } from '../settings/schema.js';
import type { CheckedBatch, StagedBatch } from './direct-records.js';
import type { PushKind } from './push-kinds.js';
import type { FromReader, ReadingForm, ToReader } from './reading-messages.js';
import { AsyncQueue } from '../util/async-queue.js';

/**
 * Chunks sent and not yet taken by the thread: how far reading the body may run ahead of
 * parsing. The request's chunks are up to 64 KB, so about 1 MB per push is in flight.
 */
export const CHUNKS_IN_FLIGHT = 16;
/** Checked batches the thread may have sent that the push has not taken yet (1,000 records each). */
export const BATCHES_WAITING = 8;

/** A document being read on the reading thread. */
export interface ThreadDocument<B = CheckedBatch> {
  format: DocumentFormat;
  charset: string;
  /** Checked batches in document order; a problem in the document throws DocumentError. */
  batches: AsyncGenerator<B>;
  /** Once `batches` has ended: the fields the records had that the push does not use. */
  fields(): { ignoredFields: string[]; unknownFields: string[] };
  /** Once `batches` has ended (a staged read): the codes that stood twice, and the pictures sent as data. */
  staged(): { twins: Map<string, number[]>; pictures: Map<string, Buffer> };
  /** Ends the session (always, also after an error): the thread stops reading it. */
  close(): void;
}

export interface ReadOptions {
  contentType: string | undefined;
  format: DocumentFormat | undefined;
  kind: Exclude<PushKind, 'categories'>;
  /** 'direct': stock and stock-and-price (CheckedBatch); 'staged': promo prices and full sync (StagedBatch). */
  form: ReadingForm;
  settings: Settings;
  imageDir: string | null;
}

/** Starts reading `body` on the reading thread; resolves once its format and charset are known. */
export async function readInThread(body: AsyncIterable<Buffer>, opts: ReadOptions & { form: 'direct' }): Promise<ThreadDocument<CheckedBatch>>;
export async function readInThread(body: AsyncIterable<Buffer>, opts: ReadOptions & { form: 'staged' }): Promise<ThreadDocument<StagedBatch>>;
export async function readInThread(body: AsyncIterable<Buffer>, opts: ReadOptions): Promise<ThreadDocument<CheckedBatch | StagedBatch>> {
  const session = readingThread().open(body[Symbol.asyncIterator](), opts);
  try {
    const head = await session.next();
    if (head.t !== 'head') throw session.problem(head);
    return {
      format: head.format,
      charset: head.charset,
      batches: session.batches(),
      fields: () => session.fields(),
      staged: () => session.staged(),
      close: () => session.close(),
    };
  } catch (err) {
    session.close();
    throw err;
  }
}

/**
 * One push's document on the thread. Its body is sent by `pump`, which runs beside the push's
 * reading of the batches: the thread parses the next chunks while the push matches the batches
 * it sent before. The pump waits while the thread has CHUNKS_IN_FLIGHT chunks it has not taken,
 * or BATCHES_WAITING batches wait for the push (a push that stops reading stops the body).
 */
class Session {
  /** The thread's messages (but 'took'), and the body's own error (over the size limit, the client gone), thrown to the push as it is; taking one makes room for the pump. */
  private readonly inbox = new AsyncQueue<FromReader>(() => this.wakePump?.());
  private wakePump: (() => void) | null = null;
  private inFlight = 0;
  private bodyDone = false;
  private closed = false;
  private done: Extract<FromReader, { t: 'done' }> | null = null;

  constructor(
    private readonly thread: ReadingThread,
    readonly id: number,
    private readonly body: AsyncIterator<Buffer>,
  ) {}

  deliver(m: FromReader): void {
    if (m.t === 'took') {
      this.inFlight--;
      this.wakePump?.();
    } else this.inbox.push(m);
  }

  /** Sends the body to the thread while it has room (started once the thread knows the session). */
  async pump(): Promise<void> {
    try {
      while (!this.closed) {
        if (this.inFlight >= CHUNKS_IN_FLIGHT || this.inbox.length >= BATCHES_WAITING) {
          await new Promise<void>((r) => (this.wakePump = r));
          this.wakePump = null;
          continue;
        }
        const r = await this.body.next();
        if (this.closed) return;
        if (r.done) {
          this.bodyDone = true;
          this.thread.post({ t: 'end', id: this.id });
          return;
        }
        if (r.value.length) {
          this.inFlight++;
          this.thread.post({ t: 'chunk', id: this.id, bytes: r.value });
        }
      }
    } catch (err) {
      this.inbox.fail(err);
    }
  }

  /** The thread's next message (a failure of the body first). */
  async next(): Promise<FromReader> {
    return (await this.inbox.take())!; // never ended: the session closes instead
  }

  async *batches(): AsyncGenerator<CheckedBatch | StagedBatch> {
    for (;;) {
      const m = await this.next();
      if (m.t === 'batch') yield m.batch;
      else if (m.t === 'done') {
        this.done = m;
        return;
      } else if (m.t === 'failed') throw this.problem(m);
    }
  }

  fields(): { ignoredFields: string[]; unknownFields: string[] } {
    if (!this.done) throw new Error('the document has not been read to its end');
    return { ignoredFields: this.done.ignoredFields, unknownFields: this.done.unknownFields };
  }

  staged(): { twins: Map<string, number[]>; pictures: Map<string, Buffer> } {
    if (!this.done) throw new Error('the document has not been read to its end');
    // A picture's bytes cross the thread as a Uint8Array: the same memory seen as a Buffer.
    const pictures = new Map([...(this.done.pictures ?? [])].map(([path, b]) => [path, Buffer.from(b.buffer, b.byteOffset, b.byteLength)] as const));
    return { twins: this.done.twins ?? new Map(), pictures };
  }

  /** A message that is not the one expected, as the error to throw. */
  problem(m: FromReader): Error {
    if (m.t === 'failed') return m.status ? new DocumentError(m.status, m.message) : new Error(m.message);
    return new Error(`the reading thread sent "${m.t}" out of turn`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.done) this.thread.post({ t: 'stop', id: this.id });
    this.thread.forget(this.id);
    this.wakePump?.();
    // The body is not read further (as when a for-await over it ends early).
    if (!this.bodyDone) void this.body.return?.(undefined)?.catch(() => {});
  }
}

/**
 * The thread's young generation (the process's own is set by `npm start`'s
 * --max-semi-space-size): what it reads dies within a batch. Measured (round 20): 6, 12 and 24 MB
 * read 100,000 records alike; 3 MB read a million 45% slower (2.75 s of the thread against
 * 1.89 s) for no lower peak.
 */
const LIMITS = { maxYoungGenerationSizeMb: 12 };

class ReadingThread {
  private readonly worker: Worker;
  private readonly sessions = new Map<number, Session>();
  private lastId = 0;
  private counted: Array<(n: number) => void> = [];
  dead = false;

  constructor() {
    const self = import.meta.url;
    // From source (tests, tsx) the thread needs tsx's loader; the build runs as plain JavaScript.
    this.worker = self.endsWith('.ts')
      ? new Worker(new URL('./ts-worker.mjs', self), { workerData: { entry: new URL('./reading-worker.ts', self).href }, resourceLimits: LIMITS })
      : new Worker(new URL('./reading-worker.js', self), { resourceLimits: LIMITS });
    this.worker.unref();
    // A session's messages may still come after it closed (the push failed while the thread
    // read): they go nowhere.
    this.worker.on('message', (m: FromReader) => (m.t === 'count' ? this.counted.splice(0).forEach((r) => r(m.n)) : this.sessions.get(m.id)?.deliver(m)));
    const fail = (message: string) => {
      this.dead = true;
      for (const r of this.counted.splice(0)) r(0);
      for (const s of this.sessions.values()) s.deliver({ t: 'failed', id: s.id, message });
    };
    this.worker.on('error', (err) => fail(`the reading thread failed: ${err.message}`));
    this.worker.on('exit', (code) => fail(`the reading thread ended (exit code ${code})`));
  }

  open(body: AsyncIterator<Buffer>, opts: ReadOptions): Session {
    const s = new Session(this, ++this.lastId, body);
    if (this.sessions.size === 0) this.worker.ref();
    this.sessions.set(s.id, s);
    this.post({ t: 'start', id: s.id, ...opts });
    void s.pump();
    return s;
  }

  post(m: ToReader): void {
    if (!this.dead) this.worker.postMessage(m);
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }

  /** The sessions open on the push's side and on the thread's (see `readingSessions`; a thread that dies meanwhile answers 0). */
  async count(): Promise<{ here: number; there: number }> {
    const there = new Promise<number>((r) => this.counted.push(r));
    this.post({ t: 'count', id: 0 });
    return { here: this.sessions.size, there: await there };
  }

  forget(id: number): void {
    this.sessions.delete(id);
    if (this.sessions.size === 0) this.worker.unref();
  }
}

let thread: ReadingThread | null = null;

function readingThread(): ReadingThread {
  if (!thread || thread.dead) thread = new ReadingThread();
  return thread;
}

/**
 * The sessions open on the reading thread, on the push's side and on the thread's own: a push that
 * ended, however it ended, leaves none (tests check it; a session left open holds its parser's
 * memory for the life of the process).
 */
export async function readingSessions(): Promise<{ here: number; there: number }> {
  return thread && !thread.dead ? thread.count() : { here: 0, there: 0 };
}

/** Stops the reading thread (its pushes fail; the next push starts a new one). Tests use it as a crash. */
export async function stopReadingThread(): Promise<void> {
  await thread?.stop();
}
