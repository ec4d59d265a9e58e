// How prepared orders leave: POSTed to the ERP's endpoint, or dropped as files. (The feed, where
// the ERP downloads and acknowledges, is served by the integration routes.)
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { OrderDocument } from '../erp/order-document.js';
import { ordersToXml } from '../erp/order-formats.js';
import type { Settings } from '../settings/schema.js';
import { orderProblem } from '../erp/order-problems.js';

export type Delivery = { ok: true; erpDocumentId: string | null } | { ok: false; error: string; retry: boolean };

export interface Transport {
  name: 'http' | 'file';
  deliver(doc: OrderDocument): Promise<Delivery>;
}

function documentIdFrom(body: string, headers: Headers): string | null {
  const header = headers.get('x-document-id');
  if (header) return header.slice(0, 128);
  try {
    const j = JSON.parse(body) as Record<string, unknown>;
    for (const k of ['erpDocumentId', 'documentId', 'bizonylatszam', 'id']) if (j[k] !== undefined && j[k] !== null) return String(j[k]).slice(0, 128);
  } catch {
    const m = /<(bizonylatszam|documentId|id)>([^<]{1,128})<\//.exec(body);
    if (m) return m[2]!;
  }
  return null;
}

export function httpTransport(settings: Settings, timeoutMs = 30_000): Transport {
  const auth = 'Basic ' + Buffer.from(`${settings.webshop_id}:${settings.password}`).toString('base64');
  return {
    name: 'http',
    async deliver(doc) {
      try {
        const res = await fetch(settings.export_url, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/xml; charset=utf-8',
            Authorization: auth,
            // The same key on every attempt: an ERP that stored the order and then failed to
            // answer recognises the retry instead of booking it twice.
            'Idempotency-Key': `erp-bridge-${settings.webshop_id || 'shop'}-order-${doc.orderId}`,
          },
          body: ordersToXml([doc]),
          signal: AbortSignal.timeout(timeoutMs),
        });
        const body = await res.text();
        if (res.ok) return { ok: true, erpDocumentId: documentIdFrom(body, res.headers) };
        // 4xx other than 408/429 will not get better by retrying the same document.
        const retry = res.status >= 500 || res.status === 408 || res.status === 429;
        return { ok: false, retry, error: orderProblem('http_status', { status: res.status, body: body.replace(/\s+/g, ' ').slice(0, 300) }) };
      } catch (err) {
        const e = err as Error;
        const host = new URL(settings.export_url).host;
        if (e.name === 'TimeoutError') return { ok: false, retry: true, error: orderProblem('timeout', { host, seconds: timeoutMs / 1000 }) };
        return { ok: false, retry: true, error: orderProblem('unreachable', { host, reason: (e.cause as Error | undefined)?.message ?? e.message }) };
      }
    },
  };
}

/** Written under a temporary name, then renamed: the ERP never sees half a file. */
export function fileTransport(settings: Settings): Transport {
  return {
    name: 'file',
    async deliver(doc) {
      try {
        await mkdir(settings.export_dir, { recursive: true });
        const safe = doc.orderNumber.replace(/[^\w.-]/g, '_');
        const final = path.join(settings.export_dir, `order-${safe}.xml`);
        const tmp = path.join(settings.export_dir, `.order-${safe}.xml.tmp`);
        await writeFile(tmp, ordersToXml([doc]), 'utf8');
        await rename(tmp, final);
        return { ok: true, erpDocumentId: null };
      } catch (err) {
        return { ok: false, retry: true, error: orderProblem('unwritable', { dir: settings.export_dir, code: (err as NodeJS.ErrnoException).code ?? (err as Error).message }) };
      }
    },
  };
}

export function pushTransports(settings: Settings, timeoutMs?: number): Transport[] {
  const out: Transport[] = [];
  if (settings.export_transport.includes('http') && settings.export_url) out.push(httpTransport(settings, timeoutMs));
  if (settings.export_transport.includes('file') && settings.export_dir) out.push(fileTransport(settings));
  return out;
}
