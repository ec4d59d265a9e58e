// A real HTTP server on 127.0.0.1 that records every request and answers as the test says: the
// fake ERP of the export's transports and the fake shop API of the order status queue.
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Reply = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

export type Handler = (req: SeenRequest, n: number) => Reply | Promise<Reply>;

export async function startFakeServer(handler: Handler) {
  const seen: SeenRequest[] = [];
  let current = handler;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const r: SeenRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(r);
      const reply = await current(r, seen.length);
      if (reply === 'hang') return; // never answers: the client's timeout must fire
      res.writeHead(reply.status, reply.headers ?? {}).end(reply.body ?? '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    seen,
    /** Answers differently from now on. */
    answer(h: Handler) {
      current = h;
    },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

export type FakeServer = Awaited<ReturnType<typeof startFakeServer>>;
