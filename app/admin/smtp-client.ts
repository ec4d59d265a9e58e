// A small SMTP client for the alert e-mails, enough for what OpenCart's own mail settings
// describe: plain SMTP (a local relay), implicit TLS ("ssl://host"), STARTTLS ("tls://host"), and
// AUTH PLAIN or LOGIN when a user name is set. One message per connection. Errors name the step
// and the server's reply, never the password.
import net from 'node:net';
import tls from 'node:tls';
import os from 'node:os';
import { randomUUID } from 'node:crypto';

export type SmtpSecurity = 'none' | 'ssl' | 'starttls';

export interface SmtpOptions {
  host: string;
  port: number;
  security: SmtpSecurity;
  username?: string;
  password?: string;
  timeoutMs: number;
  /** Verify the server's certificate (on by default). */
  rejectUnauthorized?: boolean;
}

export interface MailMessage {
  from: string;
  fromName?: string;
  to: string[];
  subject: string;
  text: string;
}

export class SmtpError extends Error {
  constructor(message: string, readonly code?: number) {
    super(message);
    this.name = 'SmtpError';
  }
}

interface Reply {
  code: number;
  lines: string[];
}

/** Reads SMTP replies (multi-line "250-…" continuations up to "250 …") from a socket. */
class Conversation {
  private buffer = '';
  private waiting: Array<(r: Reply | Error) => void> = [];
  private replies: Array<Reply | Error> = [];
  private pending: string[] = [];

  constructor(private socket: net.Socket, private readonly timeoutMs: number) {
    this.attach(socket);
  }

  private attach(socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk.toString('utf8')));
    socket.on('error', (err) => this.deliver(new SmtpError(`connection error: ${err.message}`)));
    socket.on('close', () => this.deliver(new SmtpError('the server closed the connection')));
  }

  private onData(chunk: string) {
    this.buffer += chunk;
    let i: number;
    while ((i = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, i).replace(/\r$/, '');
      this.buffer = this.buffer.slice(i + 1);
      this.pending.push(line);
      const m = /^(\d{3})([ -]?)(.*)$/.exec(line);
      if (!m) {
        this.deliver(new SmtpError(`not an SMTP reply: ${line.slice(0, 80)}`));
        this.pending = [];
        continue;
      }
      if (m[2] !== '-') {
        this.deliver({ code: Number(m[1]), lines: this.pending.map((l) => l.slice(4)) });
        this.pending = [];
      }
    }
  }

  private deliver(r: Reply | Error) {
    const w = this.waiting.shift();
    if (w) w(r);
    else this.replies.push(r);
  }

  read(step: string): Promise<Reply> {
    const ready = this.replies.shift();
    if (ready) return ready instanceof Error ? Promise.reject(ready) : Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = this.waiting.filter((w) => w !== done);
        reject(new SmtpError(`no answer from the mail server within ${Math.round(this.timeoutMs / 1000)} s (${step})`));
      }, this.timeoutMs);
      const done = (r: Reply | Error) => {
        clearTimeout(timer);
        if (r instanceof Error) reject(r);
        else resolve(r);
      };
      this.waiting.push(done);
    });
  }

  /** Sends a line and checks the reply code. `shown` is what an error may say about the line. */
  async send(line: string, expect: number[], step: string): Promise<Reply> {
    this.socket.write(line + '\r\n');
    return this.expect(expect, step);
  }

  async expect(expect: number[], step: string): Promise<Reply> {
    const r = await this.read(step);
    if (!expect.includes(r.code)) throw new SmtpError(`the mail server refused ${step}: ${r.code} ${r.lines.join(' ').slice(0, 200)}`, r.code);
    return r;
  }

  write(data: string) {
    this.socket.write(data);
  }

  /** Replaces the socket (after STARTTLS); earlier listeners stay on the raw socket and go quiet. */
  upgrade(secure: tls.TLSSocket) {
    this.socket.removeAllListeners('data');
    this.socket.removeAllListeners('close');
    this.socket.removeAllListeners('error');
    this.socket = secure;
    this.buffer = '';
    this.attach(secure);
  }

  end() {
    this.socket.end();
    this.socket.destroy();
  }
}

/** "Subject" text as an RFC 2047 encoded word when it is not plain ASCII. */
function headerText(s: string): string {
  const clean = s.replace(/[\r\n]+/g, ' ');
  return /^[\x20-\x7e]*$/.test(clean) ? clean : `=?UTF-8?B?${Buffer.from(clean, 'utf8').toString('base64')}?=`;
}

function checkAddress(a: string): string {
  if (!/^[^\s@<>,;"]+@[^\s@<>,;"]+$/.test(a)) throw new SmtpError(`"${a.slice(0, 100)}" is not an e-mail address`);
  return a;
}

/** The message as sent after DATA: headers, a base64 UTF-8 text body, CRLF line ends. */
export function formatMessage(m: MailMessage, date = new Date()): string {
  const domain = m.from.split('@')[1] ?? 'localhost';
  const from = m.fromName ? `${headerText(m.fromName.replace(/["\\]/g, ''))} <${m.from}>` : m.from;
  const body = Buffer.from(m.text.replace(/\r?\n/g, '\r\n'), 'utf8').toString('base64').replace(/.{1,76}/g, '$&\r\n');
  return [
    `From: ${from}`,
    `To: ${m.to.join(', ')}`,
    `Subject: ${headerText(m.subject)}`,
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${randomUUID()}@${domain}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    'Auto-Submitted: auto-generated',
    '',
    body,
  ].join('\r\n');
}

function connect(o: SmtpOptions): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new SmtpError(`cannot reach the mail server ${o.host}:${o.port} within ${Math.round(o.timeoutMs / 1000)} s`));
    }, o.timeoutMs);
    const onError = (err: Error) => {
      clearTimeout(timer);
      reject(new SmtpError(`cannot reach the mail server ${o.host}:${o.port}: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
    };
    const socket: net.Socket = o.security === 'ssl'
      ? tls.connect({ host: o.host, port: o.port, servername: net.isIP(o.host) ? undefined : o.host, rejectUnauthorized: o.rejectUnauthorized ?? true }, () => {
          clearTimeout(timer);
          socket.off('error', onError);
          resolve(socket);
        })
      : net.connect({ host: o.host, port: o.port }, () => {
          clearTimeout(timer);
          socket.off('error', onError);
          resolve(socket);
        });
    socket.once('error', onError);
  });
}

export async function sendMail(o: SmtpOptions, m: MailMessage): Promise<void> {
  const from = checkAddress(m.from);
  const to = m.to.map(checkAddress);
  if (to.length === 0) throw new SmtpError('no recipient');
  const socket = await connect(o);
  const c = new Conversation(socket, o.timeoutMs);
  try {
    await c.expect([220], 'the greeting');
    const helo = `EHLO ${os.hostname().replace(/[^A-Za-z0-9.-]/g, '') || 'localhost'}`;
    let ehlo = await c.send(helo, [250], 'EHLO');
    if (o.security === 'starttls') {
      if (!ehlo.lines.some((l) => /^STARTTLS\b/i.test(l))) throw new SmtpError('the mail server does not offer STARTTLS (the shop setting asks for tls://)');
      await c.send('STARTTLS', [220], 'STARTTLS');
      const secure = await new Promise<tls.TLSSocket>((resolve, reject) => {
        const s = tls.connect({ socket, servername: net.isIP(o.host) ? undefined : o.host, rejectUnauthorized: o.rejectUnauthorized ?? true }, () => resolve(s));
        s.once('error', (err) => reject(new SmtpError(`TLS with the mail server failed: ${err.message}`)));
      });
      c.upgrade(secure);
      ehlo = await c.send(helo, [250], 'EHLO');
    }
    if (o.username) {
      const auth = ehlo.lines.find((l) => /^AUTH[ =]/i.test(l))?.toUpperCase().split(/[ =]/).slice(1) ?? [];
      const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
      if (auth.includes('PLAIN')) {
        await c.send(`AUTH PLAIN ${b64(`\0${o.username}\0${o.password ?? ''}`)}`, [235], 'the login (AUTH PLAIN)');
      } else if (auth.includes('LOGIN')) {
        await c.send('AUTH LOGIN', [334], 'the login (AUTH LOGIN)');
        await c.send(b64(o.username), [334], 'the user name (AUTH LOGIN)');
        await c.send(b64(o.password ?? ''), [235], 'the login (AUTH LOGIN)');
      } else {
        throw new SmtpError('the mail server offers no login method erp-bridge knows (PLAIN, LOGIN)');
      }
    }
    await c.send(`MAIL FROM:<${from}>`, [250], 'the sender');
    for (const r of to) await c.send(`RCPT TO:<${r}>`, [250, 251], `the recipient ${r}`);
    await c.send('DATA', [354], 'DATA');
    // Dot-stuffing: a line starting with "." gets another (base64 never does; headers might).
    const data = formatMessage({ ...m, from, to }).replace(/(^|\r\n)\./g, '$1..');
    c.write(data + '\r\n.\r\n');
    await c.expect([250], 'the message');
    await c.send('QUIT', [221], 'QUIT').catch(() => undefined);
  } finally {
    c.end();
  }
}
