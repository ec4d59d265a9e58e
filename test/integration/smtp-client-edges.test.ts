// Edges of the SMTP client that the first mutation run of app/admin left open (smtp-client.test.ts
// has the main cases): over implicit TLS (ssl://) to an IP address no server name is sent, and a
// conversation that takes longer in all than the time limit (each answer within it) goes on.
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { sendMail } from '../../app/admin/smtp-client.js';
import { TEST_TLS_CERT, TEST_TLS_KEY } from '../support/test-tls.js';

it('keeps a slow conversation over implicit TLS going past the time limit, and names no server for an IP address', async () => {
  const lines: string[] = [];
  let servername: string | false | null | undefined;
  const server = tls.createServer({ key: TEST_TLS_KEY, cert: TEST_TLS_CERT }, (s) => {
    servername = s.servername;
    s.on('error', () => {});
    let buffer = '';
    let inData = false;
    // Each answer after 300 ms: the five before DATA take longer than the 1 s limit.
    const later = (reply: string) => setTimeout(() => !s.destroyed && s.write(reply + '\r\n'), 300);
    later('220 slow ESMTP');
    s.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let i: number;
      while ((i = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            s.write('250 queued\r\n');
          }
          continue;
        }
        lines.push(line);
        if (line === 'DATA') {
          inData = true;
          s.write('354 go on\r\n');
        } else if (line === 'QUIT') s.end('221 bye\r\n');
        else later('250 ok');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const started = Date.now();
    await sendMail(
      { host: '127.0.0.1', port: (server.address() as AddressInfo).port, security: 'ssl', rejectUnauthorized: false, timeoutMs: 1000 },
      { from: 'bolt@example.hu', to: ['a@example.hu', 'b@example.hu'], subject: 's', text: 't' },
    );
    expect(Date.now() - started).toBeGreaterThan(1400);
    expect(lines.map((l) => l.split(/[ :]/)[0])).toEqual(['EHLO', 'MAIL', 'RCPT', 'RCPT', 'DATA', 'QUIT']);
    expect(servername).toBe(false);
  } finally {
    await new Promise((r) => server.close(r));
  }
});
