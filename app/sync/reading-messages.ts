// The messages between a push and the reading thread (reading-thread.ts, reading-worker.ts).
// Every message names its session: one thread reads the documents of concurrent pushes.
import type { DocumentFormat } from '../erp/record.js';
import type { Settings } from '../settings/schema.js';
import type { CheckedBatch, StagedBatch } from './direct-records.js';
import type { PushKind } from './push-kinds.js';

/** How the thread hands a push's records back: as columns of codes and values, or as rows to stage. */
export type ReadingForm = 'direct' | 'staged';

export type ToReader =
  | { t: 'start'; id: number; contentType: string | undefined; format: DocumentFormat | undefined; kind: Exclude<PushKind, 'categories'>; form: ReadingForm; settings: Settings; imageDir: string | null }
  | { t: 'chunk'; id: number; bytes: Uint8Array }
  /** The body has ended. */
  | { t: 'end'; id: number }
  /** The push gave up: the session ends, and nothing more is said of it. */
  | { t: 'stop'; id: number }
  /** How many sessions the thread holds (id 0: no session's; tests check that a push that stopped left none). */
  | { t: 'count'; id: 0 };

export type FromReader =
  /** One chunk was taken (the push may send another). */
  | { t: 'took'; id: number }
  | { t: 'head'; id: number; format: DocumentFormat; charset: string }
  | { t: 'batch'; id: number; batch: CheckedBatch | StagedBatch }
  /**
   * The document was read to its end. A staged read also sends the codes that stood more than
   * once (with every record of each) and the pictures sent as data, by the path they take.
   */
  | { t: 'done'; id: number; ignoredFields: string[]; unknownFields: string[]; twins?: Map<string, number[]>; pictures?: Map<string, Uint8Array> }
  /** status: a DocumentError's (the document cannot be read); none: a fault of erp-bridge. */
  | { t: 'failed'; id: number; status?: 400 | 413 | 415; message: string }
  | { t: 'count'; id: 0; n: number };
