// A real SMTP server on 127.0.0.1 for tests: a TCP server speaking enough of RFC 5321 for
// OpenCart's own SMTP client (system/library/mail/smtp.php: greeting, EHLO, optional AUTH
// LOGIN/PLAIN, MAIL FROM, RCPT TO, DATA, QUIT). Each message is kept with its envelope, headers,
// decoded subject and its text: every text part of a MIME message, base64 or quoted-printable
// decoded, so a test reads what the customer's mailbox would show.
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The user that logged in (AUTH), or null. */
  user: string | null;
  /** The DATA as sent (dot-unstuffed, CRLF). */
  raw: string;
  headers: Record<string, string>;
  subject: string;
  /** Every text/plain and text/html part, decoded, joined by a blank line. */
  text: string;
}

export interface TestSmtpServer {
  port: number;
  messages: ReceivedMail[];
  commands: string[];
  /** Resolves once `n` messages have arrived in all; rejects after `timeoutMs`. */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

export interface SmtpServerOptions {
  /** Require this login before MAIL (AUTH PLAIN and LOGIN are offered). */
  auth?: { user: string; password: string };
  /** Offer AUTH without requiring it. */
  offerAuth?: boolean;
}

const decodeWords = (s: string) =>
  s.replace(/=\?([\w-]+)\?([BQ])\?([^?]*)\?=/gi, (_, _cs: string, enc: string, text: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : decodeQuotedPrintable(text.replace(/_/g, ' ')));

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

function splitHead(entity: string): { headers: Record<string, string>; body: string } {
  const normalised = entity.replace(/\r\n/g, '\n');
  const at = normalised.indexOf('\n\n');
  const head = at >= 0 ? normalised.slice(0, at) : normalised;
  const body = at >= 0 ? normalised.slice(at + 2) : '';
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { headers, body };
}

/** The decoded text parts of a MIME entity (recursing into multiparts). */
function textParts(entity: string): string[] {
  const { headers, body } = splitHead(entity);
  const type = (headers['content-type'] ?? 'text/plain').toLowerCase();
  const boundary = /boundary="?([^";]+)"?/i.exec(headers['content-type'] ?? '')?.[1];
  if (type.startsWith('multipart/') && boundary) {
    const parts = body.split(`--${boundary}`).slice(1);
    return parts.filter((p) => !p.startsWith('--')).flatMap((p) => textParts(p.replace(/^\n/, '')));
  }
  if (!type.startsWith('text/')) return [];
  const cte = (headers['content-transfer-encoding'] ?? '').toLowerCase();
  if (cte === 'base64') return [Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')];
  if (cte === 'quoted-printable') return [decodeQuotedPrintable(body)];
  return [body];
}

function parseMessage(raw: string): Pick<ReceivedMail, 'headers' | 'subject' | 'text'> {
  const { headers } = splitHead(raw);
  return { headers, subject: decodeWords(headers.subject ?? ''), text: textParts(raw).join('\n\n').replace(/\r\n/g, '\n') };
}

export async function startSmtpServer(opts: SmtpServerOptions = {}): Promise<TestSmtpServer> {
  const messages: ReceivedMail[] = [];
  const commands: string[] = [];
  const waiters = new Set<() => void>();
  const sockets = new Set<net.Socket>();

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffer = '';
    let state: 'command' | 'data' | 'login-user' | 'login-pass' = 'command';
    let from: string | null = null;
    let to: string[] = [];
    let user: string | null = null;
    let loginUser = '';
    let data: string[] = [];
    const say = (line: string) => socket.write(`${line}\r\n`);
    const login = (u: string, p: string) => {
      if (!opts.auth || (u === opts.auth.user && p === opts.auth.password)) {
        user = u;
        say('235 2.7.0 Authentication successful');
      } else say('535 5.7.8 Authentication credentials invalid');
    };
    const line = (text: string) => {
      if (state === 'data') {
        if (text === '.') {
          const raw = data.join('\r\n');
          messages.push({ from: from ?? '', to, user, raw, ...parseMessage(raw) });
          for (const w of [...waiters]) w();
          state = 'command';
          from = null;
          to = [];
          data = [];
          say('250 2.0.0 queued');
        } else data.push(text.startsWith('.') ? text.slice(1) : text);
        return;
      }
      commands.push(text);
      if (state === 'login-user') {
        loginUser = Buffer.from(text, 'base64').toString('utf8');
        state = 'login-pass';
        return void say('334 UGFzc3dvcmQ6');
      }
      if (state === 'login-pass') {
        state = 'command';
        return login(loginUser, Buffer.from(text, 'base64').toString('utf8'));
      }
      const verb = text.split(' ', 1)[0]!.toUpperCase();
      const arg = text.slice(verb.length).trim();
      switch (verb) {
        case 'EHLO': {
          const lines = ['erpb-smtp', '8BITMIME', ...(opts.auth || opts.offerAuth ? ['AUTH PLAIN LOGIN'] : []), 'SIZE 10485760'];
          lines.forEach((l, i) => say(`250${i === lines.length - 1 ? ' ' : '-'}${l}`));
          return;
        }
        case 'HELO':
          return void say('250 erpb-smtp');
        case 'AUTH': {
          const [mech, initial] = arg.split(' ');
          if (mech?.toUpperCase() === 'PLAIN' && initial) {
            const [, u, p] = Buffer.from(initial, 'base64').toString('utf8').split('\0');
            return login(u ?? '', p ?? '');
          }
          if (mech?.toUpperCase() === 'LOGIN') {
            state = 'login-user';
            return void say('334 VXNlcm5hbWU6');
          }
          return void say('504 5.5.4 mechanism not supported');
        }
        case 'MAIL':
          if (opts.auth && !user) return void say('530 5.7.0 Authentication required');
          from = /<([^>]*)>/.exec(arg)?.[1] ?? '';
          return void say('250 2.1.0 OK');
        case 'RCPT':
          if (from === null) return void say('503 5.5.1 MAIL first');
          to.push(/<([^>]*)>/.exec(arg)?.[1] ?? '');
          return void say('250 2.1.5 OK');
        case 'DATA':
          if (!to.length) return void say('503 5.5.1 RCPT first');
          state = 'data';
          return void say('354 End data with <CR><LF>.<CR><LF>');
        case 'RSET':
          from = null;
          to = [];
          return void say('250 2.0.0 OK');
        case 'NOOP':
          return void say('250 2.0.0 OK');
        case 'QUIT':
          say('221 2.0.0 bye');
          return void socket.end();
        default:
          return void say('502 5.5.2 command not recognised');
      }
    };
    say('220 erpb-smtp ESMTP ready');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      // OpenCart ends lines with CRLF; a bare LF is taken as a line end too.
      for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
        const text = buffer.slice(0, i).replace(/\r$/, '');
        buffer = buffer.slice(i + 1);
        line(text);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    messages,
    commands,
    waitFor(n, timeoutMs = 15_000) {
      if (messages.length >= n) return Promise.resolve(messages);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`SMTP: ${messages.length} of ${n} messages after ${timeoutMs} ms`));
        }, timeoutMs);
        const check = () => {
          if (messages.length < n) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(messages);
        };
        waiters.add(check);
      });
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
