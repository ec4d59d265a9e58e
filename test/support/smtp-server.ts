// A real SMTP server on 127.0.0.1 for tests: real TCP, enough of RFC 5321 to receive a message
// (EHLO/HELO, optional AUTH PLAIN/LOGIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT). Messages are kept
// with their envelope and the decoded text body (every text part of a MIME multipart message,
// as OpenCart sends its mails), so a test asserts what a mailbox would get.
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The user that logged in (AUTH), or null. */
  user: string | null;
  /** The raw DATA, dot-unstuffed, CRLF line ends. */
  raw: string;
  headers: Record<string, string>;
  /** Subject with RFC 2047 encoded words decoded. */
  subject: string;
  /** The body, base64 / quoted-printable decoded when so declared. */
  text: string;
}

export interface TestSmtpServer {
  port: number;
  messages: ReceivedMail[];
  /** Every command line received (AUTH payloads included: a test may check what was sent). */
  commands: string[];
  /** Resolves when `n` messages have arrived (or rejects after `timeoutMs`). */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

export interface SmtpServerOptions {
  /** Require a login with these credentials before MAIL (advertises AUTH PLAIN LOGIN). */
  auth?: { user: string; password: string };
  /** Advertise AUTH even when not required. */
  offerAuth?: boolean;
}

function decodeWords(s: string): string {
  return s.replace(/=\?UTF-8\?B\?([^?]*)\?=/gi, (_, b: string) => Buffer.from(b, 'base64').toString('utf8'));
}

function parse(raw: string): Pick<ReceivedMail, 'headers' | 'subject' | 'text'> {
  const split = raw.indexOf('\r\n\r\n');
  const head = split >= 0 ? raw.slice(0, split) : raw;
  const body = split >= 0 ? raw.slice(split + 4) : '';
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  const cte = (headers['content-transfer-encoding'] ?? '').toLowerCase();
  // A MIME message (OpenCart's mails are multipart/mixed): every text part, decoded.
  const text = /^multipart\//i.test(headers['content-type'] ?? '')
    ? textParts(raw).join('\n\n')
    : cte === 'base64' ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') : body;
  return { headers, subject: decodeWords(headers.subject ?? ''), text: text.replace(/\r\n/g, '\n') };
}

function decodeQuotedPrintable(s: string): string {
  const bytes: number[] = [];
  const src = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < src.length; i++) {
    if (src[i] === '=' && /^[0-9A-F]{2}$/i.test(src.slice(i + 1, i + 3))) {
      bytes.push(parseInt(src.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(src[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The decoded text/plain and text/html parts of a MIME entity, recursing into multiparts. */
function textParts(entity: string): string[] {
  const normalised = entity.replace(/\r\n/g, '\n');
  const at = normalised.indexOf('\n\n');
  const head = at >= 0 ? normalised.slice(0, at) : normalised;
  const body = at >= 0 ? normalised.slice(at + 2) : '';
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const type = (headers['content-type'] ?? 'text/plain').toLowerCase();
  const boundary = /boundary="?([^";]+)"?/i.exec(headers['content-type'] ?? '')?.[1];
  if (type.startsWith('multipart/') && boundary)
    return body.split(`--${boundary}`).slice(1).filter((p) => !p.startsWith('--')).flatMap((p) => textParts(p.replace(/^\n/, '')));
  if (!type.startsWith('text/')) return [];
  const cte = (headers['content-transfer-encoding'] ?? '').toLowerCase();
  if (cte === 'base64') return [Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')];
  if (cte === 'quoted-printable') return [decodeQuotedPrintable(body)];
  return [body];
}

export async function startSmtpServer(opts: SmtpServerOptions = {}): Promise<TestSmtpServer> {
  const messages: ReceivedMail[] = [];
  const commands: string[] = [];
  const waiters: Array<() => void> = [];
  const sockets = new Set<net.Socket>();

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffer = '';
    let mode: 'command' | 'data' | 'auth-user' | 'auth-pass' = 'command';
    let from: string | null = null;
    let to: string[] = [];
    let user: string | null = null;
    let pendingUser = '';
    let data: string[] = [];
    const reply = (line: string) => socket.write(line + '\r\n');
    const checkLogin = (u: string, p: string) => {
      if (opts.auth && u === opts.auth.user && p === opts.auth.password) {
        user = u;
        reply('235 2.7.0 Authentication successful');
      } else reply('535 5.7.8 Authentication credentials invalid');
    };
    reply('220 erpb-test-smtp ESMTP ready');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let i: number;
      while ((i = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (mode === 'data') {
          if (line === '.') {
            const raw = data.join('\r\n');
            messages.push({ from: from ?? '', to, user, raw, ...parse(raw) });
            for (const w of waiters.splice(0)) w();
            mode = 'command';
            from = null;
            to = [];
            data = [];
            reply('250 2.0.0 queued');
          } else data.push(line.startsWith('..') ? line.slice(1) : line);
          continue;
        }
        commands.push(line);
        if (mode === 'auth-user') {
          pendingUser = Buffer.from(line, 'base64').toString('utf8');
          mode = 'auth-pass';
          reply('334 UGFzc3dvcmQ6');
          continue;
        }
        if (mode === 'auth-pass') {
          mode = 'command';
          checkLogin(pendingUser, Buffer.from(line, 'base64').toString('utf8'));
          continue;
        }
        const verb = line.split(' ')[0]!.toUpperCase();
        const arg = line.slice(verb.length).trim();
        if (verb === 'EHLO') {
          const lines = ['250-erpb-test-smtp greets you', '250-8BITMIME', ...(opts.auth || opts.offerAuth ? ['250-AUTH PLAIN LOGIN'] : []), '250 SIZE 10485760'];
          for (const l of lines) reply(l);
        } else if (verb === 'HELO') reply('250 erpb-test-smtp');
        else if (verb === 'AUTH') {
          const [mech, initial] = arg.split(' ');
          if (mech?.toUpperCase() === 'PLAIN' && initial) {
            const [, u, p] = Buffer.from(initial, 'base64').toString('utf8').split('\0');
            checkLogin(u ?? '', p ?? '');
          } else if (mech?.toUpperCase() === 'LOGIN') {
            mode = 'auth-user';
            reply('334 VXNlcm5hbWU6');
          } else reply('504 5.5.4 mechanism not supported');
        } else if (verb === 'MAIL') {
          if (opts.auth && !user) reply('530 5.7.0 Authentication required');
          else {
            from = /<([^>]*)>/.exec(arg)?.[1] ?? '';
            reply('250 2.1.0 OK');
          }
        } else if (verb === 'RCPT') {
          if (from === null) reply('503 5.5.1 MAIL first');
          else {
            to.push(/<([^>]*)>/.exec(arg)?.[1] ?? '');
            reply('250 2.1.5 OK');
          }
        } else if (verb === 'DATA') {
          if (!to.length) reply('503 5.5.1 RCPT first');
          else {
            mode = 'data';
            reply('354 End data with <CR><LF>.<CR><LF>');
          }
        } else if (verb === 'RSET') {
          from = null;
          to = [];
          reply('250 2.0.0 OK');
        } else if (verb === 'NOOP') reply('250 2.0.0 OK');
        else if (verb === 'QUIT') {
          reply('221 2.0.0 Bye');
          socket.end();
        } else reply('502 5.5.2 command not recognized');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    messages,
    commands,
    waitFor(n, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (messages.length >= n) {
            clearTimeout(timer);
            resolve(messages);
          } else waiters.push(check);
        };
        const timer = setTimeout(() => reject(new Error(`expected ${n} message(s), got ${messages.length}`)), timeoutMs);
        check();
      });
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
