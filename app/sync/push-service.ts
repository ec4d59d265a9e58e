// One push from the ERP (over HTTP or from a saved file on the command line): journal, then,
// under a per-URL lease, read the document as it arrives (decode, parse, validate and match in
// batches: a million records are never held whole), and write the shop only once the whole
// document was read and found sound. A rejected document writes nothing to the shop; every call
// ends as a journal run, and a running one shows its phase and percent.
import type { Database } from '../db/database.js';
import { describeDbError, isConnectionError } from '../db/database.js';
import { parseDocument } from '../erp/document.js';
import { DocumentError } from '../erp/errors.js';
import type { DocumentFormat } from '../erp/record.js';
import { Journal, OUTCOMES, emptyCounts, type Counts, type JournalItem, type RunPhase } from '../plugin/journal.js';
import { LeaseBusyError, withLease } from '../plugin/lease.js';
import { PUSH_LEASE_WAIT_MS, pushLease } from '../plugin/run-leases.js';
import type { SettingsService } from '../settings/settings-service.js';
import { loadCategoryMap } from '../shop/categories.js';
import { loadProductIndex } from '../shop/product-index.js';
import { storePictures } from '../shop/product-pictures.js';
import { applyCategories } from './apply-categories.js';
import { ReadingStager, applyProducts, directPush, isDirect, WAIT_LIMIT, type ApplyOptions, type DirectPush } from './apply-products.js';
import type { PushKind } from './push-kinds.js';
import { internalErrorMessage, newReference } from '../util/reference.js';
import { echo } from '../util/echo.js';
import { pushTiming } from '../util/push-timings.js';
import { reason } from '../erp/reasons.js';
import { keepPicturesOf, settleTwins, type StagedProduct } from './validate-products.js';
import type { Refusal, StagedBatch } from './direct-records.js';
import { readInThread, type ThreadDocument } from './reading-thread.js';
import type { Settings } from '../settings/schema.js';

export interface PushRequest {
  kind: PushKind;
  /** The document: whole, or as it arrives (an HTTP request), read under the lease. */
  body: Buffer | AsyncIterable<Buffer>;
  /** The body's length when known in advance (Content-Length): the reading phase's percent. */
  size?: number;
  contentType?: string;
  format?: DocumentFormat;
  dryRun?: boolean;
  /** Who called: "erp 192.0.2.1", "cli", "admin test". */
  actor: string;
  checkpoint?: ApplyOptions['checkpoint'];
}

export interface PushAnswer {
  run: number;
  kind: PushKind;
  dryRun: boolean;
  status: 'ok' | 'partial';
  format: DocumentFormat;
  charset: string;
  counts: Counts;
  ignoredFields: string[];
  unknownFields: string[];
  notApplied: Array<{ record: number; code: string; outcome: string; reason: string }>;
  durationMs: number;
}

export class PushError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly run: number | null,
    readonly retryAfter?: number,
    /** For the log only (an internal error's own message, which may hold SQL). */
    readonly detail?: string,
    readonly ref?: string,
  ) {
    super(message);
    this.name = 'PushError';
  }
}

export class PushService {
  readonly journal: Journal;

  constructor(
    private readonly db: Database,
    private readonly settings: SettingsService,
    private readonly opts: { imageDir: string | null } = { imageDir: null },
  ) {
    this.journal = new Journal(db);
  }

  /** Journals a call refused before its document was read (credentials, size). */
  reject(kind: PushKind | 'orders', actor: string, status: number, message: string): Promise<number | null> {
    return this.journal.reject(kind, actor, status, message);
  }

  async push(req: PushRequest): Promise<PushAnswer> {
    const started = performance.now();
    const dryRun = !!req.dryRun;
    let run: number;
    try {
      run = await this.journal.start(req.kind, req.actor, dryRun);
      pushTiming(run, 'start');
    } catch (err) {
      if (isConnectionError(err)) throw new PushError(503, `the shop database is unavailable: ${describeDbError(err)}`, null, 30);
      throw err;
    }
    const elapsed = () => performance.now() - started;
    // Set once the shop was written: a failure after that still reports what was applied.
    let written: Counts | null = null;
    // Set just before the first statement that changes the shop: a failure after it may have
    // left part of the change in place (3.0's MyISAM keeps each statement's rows).
    let writing = false;
    const startWriting = () => void (writing = true);
    try {
      const settings = await this.settings.get();
      const maxBytes = settings.max_body_mb * 1024 * 1024;
      if (Buffer.isBuffer(req.body) && req.body.length > maxBytes) throw new PushError(413, `the document is ${req.body.length} bytes, over the limit of ${settings.max_body_mb} MB (setting max_body_mb)`, run);
      if (req.kind === 'categories' && settings.sync_type !== 'full')
        throw new PushError(409, 'category sync needs the full sync type; the sync type is "stock and price" (setting sync_type)', run);
      const body = limited(req.body, maxBytes, settings.max_body_mb, run);
      const counts = emptyCounts();
      let notApplied: JournalItem[] = [];
      let ignoredFields: string[] = [];
      let unknownFields: string[] = [];
      let format: DocumentFormat = 'xml';
      let charset = 'utf-8';
      const kind = req.kind;

      await withLease(this.db, pushLease(kind), `run:${run}`, async () => {
        if (kind === 'categories') {
          const parts: Buffer[] = [];
          for await (const b of body) parts.push(b);
          const doc = parseDocument(Buffer.concat(parts), req.contentType, req.format);
          format = doc.format;
          charset = doc.charset;
          const r = await applyCategories(this.db, doc.records, { dryRun });
          Object.assign(counts, r.counts, { received: doc.records.length });
          notApplied = r.notApplied;
          unknownFields = r.unknownFields;
          return;
        }
        pushTiming(run, 'lease taken');
        const progress = new Progress(this.journal, run, req.size);
        const c: PushContext = {
          run, req, settings, dryRun, progress, counts,
          body: countBytes(body, progress),
          writing: startWriting,
          onProgress: (done: number, total: number) => progress.report('writing', counts.received, total ? (100 * done) / total : 0),
        };
        const o = isDirect(kind, settings) ? await this.pushDirect(c, kind as 'prices' | 'stock') : await this.pushStaged(c, kind);
        format = o.format;
        charset = o.charset;
        ignoredFields = o.ignoredFields;
        unknownFields = o.unknownFields;
        for (const x of OUTCOMES) if (x !== 'received' && o.r.counts[x]) counts[x] += o.r.counts[x]!;
        for (const j of o.rejected) counts[j.outcome as 'invalid' | 'ignored'] += 1;
        notApplied = [...o.rejected.map(({ early: _, ...j }) => j), ...o.r.notApplied].sort((a, b) => a.seq - b.seq);
      }, { waitMs: PUSH_LEASE_WAIT_MS, onTakeOver: async (holder) => this.journal.markInterrupted(Number(holder.replace('run:', ''))) });
      if (!dryRun) written = counts;

      const status = notApplied.some((n) => n.outcome !== 'ignored') ? 'partial' : 'ok';
      await this.journal.addItems(run, notApplied);
      await this.journal.finish(run, { status, httpStatus: 200, counts, durationMs: elapsed(), message: dryRun ? 'dry run: nothing was written' : undefined });
      pushTiming(run, 'journaled');
      return {
        // What the ERP sent is quoted cut: a 10 MB field name or code is never sent back whole.
        run, kind: req.kind, dryRun, status, format, charset, counts,
        ignoredFields: ignoredFields.map((f) => echo(f, 64)), unknownFields: unknownFields.map((f) => echo(f, 64)),
        notApplied: notApplied.map((n) => ({ record: n.seq, code: echo(n.code, 255), outcome: n.outcome, reason: echo(n.reason, 500) })),
        durationMs: Math.round(elapsed()),
      };
    } catch (err) {
      let e = toPushError(err, run);
      if (written && written.updated + written.created > 0) {
        const what = `the shop was already changed: updated ${written.updated}, created ${written.created}`;
        e = new PushError(e.status, `${e.message}; ${what}`, run, e.retryAfter, e.detail, e.ref);
      } else if (writing) {
        // Every write is repeatable: the same document again completes what this one began.
        const what = 'the shop may be partly changed: send the same document again to complete it';
        e = new PushError(e.status, `${e.message}; ${what}`, run, e.retryAfter, e.detail, e.ref);
      }
      await this.journal
        .finish(run, { status: e.status >= 500 ? 'failed' : 'rejected', httpStatus: e.status, message: e.message, counts: written ?? undefined, durationMs: elapsed() })
        .catch(() => {});
      throw e;
    }
  }

  /**
   * Stock, and prices in stock-and-price sync: the document is read and checked on the reading
   * thread, and its records matched here as they come (DirectPush), so the two run side by side.
   */
  private async pushDirect(c: PushContext, kind: 'prices' | 'stock'): Promise<PushOutcome> {
    const { run, req, settings, dryRun, progress, counts } = c;
    const doc = await readInThread(c.body, { contentType: req.contentType, format: req.format, kind, form: 'direct', settings, imageDir: this.opts.imageDir });
    let direct: DirectPush | null = null;
    try {
      direct = await directPush(this.db, run, kind, settings, dryRun);
      const rejected: Refusal[] = [];
      await new DirectReading(doc, direct, rejected, progress, counts).read();
      pushTiming(run, 'read');
      await progress.report('matching', counts.received, 0, true);
      // Records still waiting for the product index (a slow index read, a short document) are
      // matched first: only then does `twins` hold every code that stands twice.
      await direct.indexRead();
      pushTiming(run, 'index');
      direct.catchUp();
      settleTwins(direct.twins, [], rejected);
      await progress.report('writing', counts.received, 0, true);
      const r = await direct.finish({ dryRun, checkpoint: req.checkpoint, writing: c.writing }, c.onProgress);
      pushTiming(run, 'written');
      return { format: doc.format, charset: doc.charset, r, rejected, ...doc.fields() };
    } finally {
      // The change table (and its connection) goes whatever happened: nothing was written before the end.
      await direct?.close();
      doc.close();
    }
  }

  /**
   * Promo prices and full sync: the document is read and checked on the reading thread (codes
   * that stand twice found there too), and its rows staged here as they come, then applied
   * statement by statement.
   */
  private async pushStaged(c: PushContext, kind: Exclude<PushKind, 'categories'>): Promise<PushOutcome> {
    const { run, req, settings, dryRun, progress, counts } = c;
    const doc = await readInThread(c.body, { contentType: req.contentType, format: req.format, kind, form: 'staged', settings, imageDir: this.opts.imageDir });
    // Codes are matched with the product index, read while the body arrives.
    const index = loadProductIndex(this.db, settings.product_code_field);
    index.catch(() => {});
    // A big push is staged while it is read (only the stage is written then).
    const stager = new ReadingStager(this.db, run, kind === 'promo-prices' ? 'promo-prices' : 'prices', settings, index);
    try {
      let staged: StagedProduct[] = [];
      const rejected: Refusal[] = [];
      await new ProductReading(doc, staged, rejected, stager, progress, counts).read();
      pushTiming(run, 'read');
      await progress.report('matching', counts.received, 0, true);
      const read = staged;
      const { twins, pictures } = doc.staged();
      staged = settleTwins(twins, staged, rejected);
      keepPicturesOf(pictures, staged);
      // kat must name a category the ERP already sent (checked before anything is written).
      if (staged.some((s) => s.category_code)) {
        const known = await loadCategoryMap(this.db);
        staged = staged.filter((s) => {
          if (!s.category_code || known.has(s.category_code)) return true;
          rejected.push({ seq: s.seq, code: s.code, outcome: 'invalid', ...reason('unknown_category', { value: s.category_code! }) });
          return false;
        });
      }
      // Pictures first: a product must never point at a file that is not there yet.
      if (!dryRun && pictures.size > 0) await storePictures(this.opts.imageDir!, pictures);
      await progress.report('writing', counts.received, 0, true);
      const total = staged.length;
      const r = await applyProducts(this.db, run, kind, staged, settings, {
        dryRun,
        checkpoint: req.checkpoint,
        writing: c.writing,
        index,
        stager: { stager, read },
        onProgress: (n) => c.onProgress(n, total * 2),
      });
      return { format: doc.format, charset: doc.charset, r, rejected, ...doc.fields() };
    } finally {
      await stager.close().catch(() => {});
      doc.close();
    }
  }
}

/** What one push needs on its way: the request, its run, and what it counts as it goes. */
interface PushContext {
  run: number;
  req: PushRequest;
  settings: Settings;
  dryRun: boolean;
  progress: Progress;
  counts: Counts;
  /** The body, counted as it is read. */
  body: AsyncIterable<Buffer>;
  /** Called just before the shop's first write. */
  writing: () => void;
  onProgress: (done: number, total: number) => Promise<void>;
}

/** What a products push found: the document's format, what was applied, and what was refused. */
interface PushOutcome {
  format: DocumentFormat;
  charset: string;
  r: { counts: Partial<Counts>; notApplied: JournalItem[] };
  rejected: Refusal[];
  ignoredFields: string[];
  unknownFields: string[];
}

// The readers below are classes of the module, not part of the push's closure nor functions
// given an object literal, so that V8 can keep their hot loops' optimized code from one push to
// the next. A closure made per push had its optimized code made again by every push (about
// 0.1 s of compiling each), and so did a function whose argument was an object literal written
// inside that closure (its map was new in each push: "wrong map"; round 18).

/** A stock or stock-and-price push's records, checked on the reading thread, matched here. */
class DirectReading {
  constructor(
    private readonly doc: ThreadDocument,
    private readonly direct: DirectPush,
    private readonly rejected: Refusal[],
    private readonly progress: Progress,
    private readonly counts: Counts,
  ) {}

  async read(): Promise<void> {
    const { direct, rejected, progress, counts } = this;
    for await (const b of this.doc.batches) {
      counts.received += b.received;
      const { seqs, codes, values } = b;
      for (let k = 0; k < b.n; k++) direct.add(seqs[k]!, codes[k]!, values[k]!);
      for (const j of b.refused) rejected.push(j);
      // Reading pauses while too many records wait for the product index (memory stays flat).
      if (direct.backlog >= WAIT_LIMIT) await direct.indexRead();
      direct.catchUp();
      await progress.report('reading', counts.received);
      // Other requests (the admin, on SQLite's one connection too) get their turn.
      await new Promise((r) => setImmediate(r));
    }
  }
}

/** A promo-price or full-sync push's records, checked on the reading thread, staged as they come. */
class ProductReading {
  constructor(
    private readonly doc: ThreadDocument<StagedBatch>,
    private readonly staged: StagedProduct[],
    private readonly rejected: Refusal[],
    private readonly stager: ReadingStager,
    private readonly progress: Progress,
    private readonly counts: Counts,
  ) {}

  async read(): Promise<void> {
    const { staged, rejected, stager, progress, counts } = this;
    for await (const b of this.doc.batches) {
      counts.received += b.received;
      for (const row of b.rows) staged.push(row);
      for (const j of b.refused) rejected.push(j);
      await stager.catchUp(staged);
      await progress.report('reading', counts.received);
      await new Promise((r) => setImmediate(r));
    }
  }
}

/** Any failure of a push as the answer the ERP gets (shared by every push service). */
export function toPushError(err: unknown, run: number, busy = 'another push to this URL is still running; try again shortly'): PushError {
  if (err instanceof PushError) return err;
  if (err instanceof DocumentError) return new PushError(err.status, err.message, run);
  if (err instanceof LeaseBusyError) return new PushError(503, busy, run, 30);
  if (isConnectionError(err)) return new PushError(503, `the shop database is unavailable: ${describeDbError(err)}`, run, 30);
  // The error's own text may hold SQL or paths: it goes to the log, the answer and the journal get a reference.
  const ref = newReference();
  const detail = `${(err as Error)?.message ?? String(err)}`.slice(0, 2000);
  return new PushError(500, internalErrorMessage(ref), run, undefined, detail, ref);
}

/** The body, stopped with 413 once it passes the limit (a stream is counted as it arrives). */
async function* limited(body: Buffer | AsyncIterable<Buffer>, maxBytes: number, mb: number, run: number): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(body)) {
    // A saved document is handed on in pieces too, so it is read the way a request is.
    for (let i = 0; i < body.length; i += 1 << 20) yield body.subarray(i, i + (1 << 20));
    return;
  }
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) throw new PushError(413, `the body is over the limit of ${mb} MB (setting max_body_mb)`, run);
    yield chunk;
  }
}

async function* countBytes(body: AsyncIterable<Buffer>, progress: Progress): AsyncGenerator<Buffer> {
  for await (const chunk of body) {
    progress.bytes += chunk.length;
    yield chunk;
  }
}

/** The run's progress in the journal, written at most twice a second. */
class Progress {
  bytes = 0;
  private last = 0;

  constructor(
    private readonly journal: Journal,
    private readonly run: number,
    private readonly size: number | undefined,
  ) {}

  async report(phase: RunPhase, records: number, percent?: number, force = false): Promise<void> {
    const now = performance.now();
    // The last step (100%) is always written: the page shows it until the run's end is written.
    if (!force && (percent === undefined || percent < 100) && now - this.last < 500) return;
    this.last = now;
    const pct = percent ?? (phase === 'reading' && this.size ? (100 * this.bytes) / this.size : undefined);
    await this.journal.progress(this.run, records, phase, pct);
  }
}
