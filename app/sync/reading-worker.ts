// The reading thread: decodes, parses and checks the documents of product pushes, beside the
// push's own thread, which matches the records and loads the changes (stock, stock-and-price) or
// stages them (promo prices, full sync). On one thread the two took turns; here reading runs on
// the other core (the README's rounds 20 and 22 have the figures). The same modules as on the
// push's thread did the work before do it here (openDocumentStream, ProductValidator, TwinCodes),
// so records, refusals and errors are the same.
import { parentPort } from 'node:worker_threads';
import { openDocumentStream } from '../erp/document.js';
import { DocumentError } from '../erp/errors.js';
import { checkDirectBatch, checkStagedBatch } from './direct-records.js';
import type { FromReader, ToReader } from './reading-messages.js';
import { ProductValidator, TwinCodes } from './validate-products.js';
import { AsyncQueue } from '../util/async-queue.js';

const port = parentPort;
/** ERP_BRIDGE_PUSH_TIMINGS=1 (push-timings.ts): each document's reading time goes to stderr too. */
const timings = process.env.ERP_BRIDGE_PUSH_TIMINGS === '1';
if (!port) throw new Error('reading-worker.ts runs as a worker thread (reading-thread.ts starts it)');
const post = (m: FromReader) => port.postMessage(m);

/** A document's reading time (ERP_BRIDGE_PUSH_TIMINGS=1): how long, how much of it busy, how much checking. */
class ReadClock {
  private readonly began = performance.now();
  private readonly elu = performance.eventLoopUtilization();
  checking = 0;
  now = () => performance.now();

  report(id: number): void {
    const busy = performance.eventLoopUtilization(this.elu).active;
    process.stderr.write(`[reader ${id}] ${(this.now() - this.began).toFixed(0)} ms from the document's head to its end, busy ${busy.toFixed(0)} ms (checking ${this.checking.toFixed(0)})\n`);
  }
}

/** Thrown into a session's reading when the push gave up. */
class Stopped extends Error {}

/** One push's document: its body arrives in messages and is read as an async iterable. */
class Session {
  /** The body's chunks; taking one tells the push it may send another. */
  private readonly chunks: AsyncQueue<Buffer>;
  private stopped = false;

  constructor(private readonly start: Extract<ToReader, { t: 'start' }>) {
    this.chunks = new AsyncQueue(() => post({ t: 'took', id: start.id }));
  }

  give(bytes: Uint8Array): void {
    this.chunks.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  end(): void {
    this.chunks.end();
  }

  stop(): void {
    this.stopped = true;
    this.chunks.fail(new Stopped());
  }

  private async *body(): AsyncGenerator<Buffer> {
    for (let chunk = await this.chunks.take(); chunk; chunk = await this.chunks.take()) yield chunk;
  }

  async run(): Promise<void> {
    const { id, contentType, format, kind, form, settings, imageDir } = this.start;
    try {
      const doc = await openDocumentStream(this.body(), contentType, format);
      post({ t: 'head', id, format: doc.format, charset: doc.charset });
      const validator = new ProductValidator(kind, settings, { imageDir });
      const clock = timings ? new ReadClock() : null;
      // A staged read finds the codes that stand twice here, where every record passes.
      const twins = form === 'staged' ? new TwinCodes() : null;
      for await (const batch of doc.batches) {
        if (this.stopped) throw new Stopped();
        const began = clock?.now() ?? 0;
        const checked = twins ? checkStagedBatch(batch, validator, twins) : checkDirectBatch(batch, validator, kind as 'prices' | 'stock');
        if (clock) clock.checking += clock.now() - began;
        post({ t: 'batch', id, batch: checked });
      }
      clock?.report(id);
      const staged = twins ? { twins: twins.twins, pictures: validator.pictures } : {};
      post({ t: 'done', id, ignoredFields: validator.ignoredFields, unknownFields: validator.unknownFields, ...staged });
    } catch (err) {
      if (err instanceof Stopped || this.stopped) return;
      if (err instanceof DocumentError) post({ t: 'failed', id, status: err.status, message: err.message });
      else post({ t: 'failed', id, message: `reading the document failed: ${(err as Error)?.message ?? String(err)}` });
    }
  }
}

const sessions = new Map<number, Session>();

port.on('message', (m: ToReader) => {
  if (m.t === 'count') return post({ t: 'count', id: 0, n: sessions.size });
  if (m.t === 'start') {
    const s = new Session(m);
    sessions.set(m.id, s);
    void s.run().finally(() => sessions.delete(m.id));
    return;
  }
  const s = sessions.get(m.id);
  if (!s) return;
  if (m.t === 'chunk') s.give(m.bytes);
  else if (m.t === 'end') s.end();
  else s.stop();
});
