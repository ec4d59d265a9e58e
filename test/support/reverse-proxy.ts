// A small reverse proxy on 127.0.0.1 playing the README's nginx example: requests under the
// prefix go to the app with the prefix taken off (`proxy_pass http://127.0.0.1:3000/;`),
// optionally with X-Forwarded-Prefix; anything else is "the shop" (404).
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReverseProxy {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startReverseProxy(prefix: string, appPort: number, opts: { forwardPrefix?: boolean; port?: number } = {}): Promise<ReverseProxy> {
  const server: Server = http.createServer((req, res) => {
    if (!req.url!.startsWith(`${prefix}/`)) {
      res.writeHead(404).end('the shop');
      return;
    }
    const headers = { ...req.headers, 'x-forwarded-proto': 'http', ...(opts.forwardPrefix ? { 'x-forwarded-prefix': prefix } : {}) };
    const upstream = http.request({ host: '127.0.0.1', port: appPort, method: req.method, path: req.url!.slice(prefix.length), headers }, (up) => {
      res.writeHead(up.statusCode!, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end('bad gateway'));
    req.pipe(upstream);
  });
  const port = await new Promise<number>((r) => server.listen(opts.port ?? 0, '127.0.0.1', () => r((server.address() as AddressInfo).port)));
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
