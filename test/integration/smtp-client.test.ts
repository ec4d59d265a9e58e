// The alert e-mails' SMTP client (app/admin/smtp-client.ts) against scripted mail servers: real
// TCP (and TLS, with a self-signed certificate) servers on 127.0.0.1 that answer each command as a
// test says. Covers the message's exact form, the reply reader (multi-line replies, replies split
// over packets, bare LF line ends, replies that are not SMTP), each refusal with the step it
// names, STARTTLS and implicit TLS (certificate check on by default, the server name sent), both
// logins, and the time limits. owner-health.test.ts sends alerts end to end through the app.
import net from 'node:net';
import os from 'node:os';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { formatMessage, sendMail, SmtpError, type MailMessage, type SmtpOptions } from '../../app/admin/smtp-client.js';
import { TEST_TLS_CERT, TEST_TLS_KEY } from '../support/test-tls.js';

/** What one connection to a scripted server did. */
interface Session {
  /** Command lines as received (DATA's lines are in `data`). */
  lines: string[];
  /** The DATA lines as received, dot-stuffing kept, up to the final ".". */
  data: string[] | null;
  /** The lines received after TLS began (STARTTLS or implicit). */
  secureLines: string[];
  /** The server name the client sent in TLS (SNI), if any. */
  servername: string | false | null;
  closed: Promise<void>;
  /** The server's end of the TCP connection. */
  raw: net.Socket;
}

type Answer = string | string[] | 'silent' | 'close';

interface Script {
  /** 'implicit': TLS from the first byte (ssl://); the server also serves STARTTLS when its EHLO offers it. */
  tls?: 'implicit';
  /** The greeting as written (CRLF added to each line); 'silent' never greets. */
  greeting?: Answer;
  /** EHLO's reply lines (continuations added): default "ok" + the extensions given. */
  ehlo?: (secure: boolean) => string[];
  /** A command's answer; undefined falls back to the default server. */
  on?: (line: string, s: Session, secure: boolean) => Answer | undefined;
  /** A reply to the final "." of DATA. */
  dataEnd?: string;
  /** Each written answer waits this long (a slow server; not with STARTTLS, which swaps the socket at once). */
  replyDelayMs?: number;
}

const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function scripted(script: Script = {}): Promise<{ port: number; sessions: Session[] }> {
  const sessions: Session[] = [];
  const handle = (raw: net.Socket, implicit: boolean) => {
    sockets.add(raw);
    let socket: net.Socket = raw;
    let secure = implicit;
    let closed!: () => void;
    const s: Session = { lines: [], data: null, secureLines: [], servername: implicit ? (raw as tls.TLSSocket).servername : null, closed: new Promise((r) => (closed = r)), raw };
    sessions.push(s);
    raw.on('close', () => closed());
    raw.on('error', () => {});
    const write = (a: Answer) => {
      if (a === 'silent') return;
      if (a === 'close') {
        socket.end();
        socket.destroy();
        return;
      }
      const text = Array.isArray(a) ? a.map((l) => l + '\r\n').join('') : a;
      if (script.replyDelayMs) {
        const to = socket;
        setTimeout(() => !to.destroyed && to.write(text), script.replyDelayMs);
      } else socket.write(text);
    };
    write(script.greeting ?? ['220 test-smtp ESMTP ready']);
    let buffer = '';
    let inData = false;
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let i: number;
      while ((i = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            write([script.dataEnd ?? '250 2.0.0 queued']);
          } else s.data!.push(line);
          continue;
        }
        s.lines.push(line);
        if (secure) s.secureLines.push(line);
        const own = script.on?.(line, s, secure);
        if (own !== undefined) {
          write(own);
          continue;
        }
        const verb = line.split(' ')[0]!.toUpperCase();
        if (verb === 'EHLO') {
          const ext = script.ehlo?.(secure) ?? [];
          const all = ['test-smtp greets you', ...ext];
          write(all.map((l, n) => `250${n === all.length - 1 ? ' ' : '-'}${l}`));
        } else if (verb === 'STARTTLS') {
          write(['220 2.0.0 go ahead']);
          socket.removeListener('data', onData);
          const t = new tls.TLSSocket(socket, { isServer: true, key: TEST_TLS_KEY, cert: TEST_TLS_CERT });
          t.on('error', () => {});
          t.on('secure', () => {
            secure = true;
            s.servername = t.servername ?? false;
          });
          socket = t;
          buffer = '';
          t.on('data', onData);
        } else if (verb === 'MAIL' || verb === 'RCPT') write(['250 2.1.0 OK']);
        else if (verb === 'DATA') {
          inData = true;
          s.data = [];
          write(['354 go on']);
        } else if (verb === 'QUIT') {
          write(['221 2.0.0 bye']);
          socket.end();
        } else write(['502 5.5.2 not known']);
      }
    };
    socket.on('data', onData);
  };
  const server = script.tls === 'implicit'
    ? tls.createServer({ key: TEST_TLS_KEY, cert: TEST_TLS_CERT }, (t) => handle(t, true))
    : net.createServer((c) => handle(c, false));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, sessions };
}

const opts = (port: number, o: Partial<SmtpOptions> = {}): SmtpOptions => ({ host: '127.0.0.1', port, security: 'none', timeoutMs: 3000, ...o });
const msg = (m: Partial<MailMessage> = {}): MailMessage => ({ from: 'bolt@example.hu', to: ['tulaj@example.hu'], subject: 'Próba', text: 'Szia!', ...m });
const helo = `EHLO ${os.hostname().replace(/[^A-Za-z0-9.-]/g, '') || 'localhost'}`;
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
/** The refusal sendMail threw (fails when it did not throw). */
async function refusal(p: Promise<unknown>): Promise<SmtpError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err, 'sendMail should have failed').toBeInstanceOf(SmtpError);
  return err as SmtpError;
}

describe('the message as sent after DATA', () => {
  const at = new Date(Date.UTC(2026, 11, 2, 9, 5, 7));

  it('has the headers in order, a Message-ID at the sender\'s domain, and the text as base64 UTF-8 in lines of 76', () => {
    const text = 'Első sor\nmásodik sor\r\nharmadik ' + 'é'.repeat(80);
    const out = formatMessage({ from: 'bolt@example.hu', fromName: 'Teszt Bolt', to: ['a@example.hu', 'b@example.hu'], subject: 'Plain subject', text }, at);
    const [head, body] = out.split('\r\n\r\n') as [string, string];
    const headers = head.split('\r\n');
    expect(headers[0]).toBe('From: Teszt Bolt <bolt@example.hu>');
    expect(headers[1]).toBe('To: a@example.hu, b@example.hu');
    expect(headers[2]).toBe('Subject: Plain subject');
    expect(headers[3]).toBe('Date: Wed, 02 Dec 2026 09:05:07 +0000');
    expect(headers[4]).toMatch(/^Message-ID: <[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}@example\.hu>$/);
    expect(headers.slice(5)).toEqual(['MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', 'Auto-Submitted: auto-generated']);
    const lines = body.split('\r\n');
    expect(lines.at(-1)).toBe('');
    const encoded = lines.slice(0, -1);
    expect(encoded.slice(0, -1).every((l) => l.length === 76)).toBe(true);
    expect(encoded.at(-1)!.length).toBeGreaterThan(0);
    expect(encoded.at(-1)!.length).toBeLessThanOrEqual(76);
    // Every line end of the text becomes CRLF.
    expect(Buffer.from(encoded.join(''), 'base64').toString('utf8')).toBe('Első sor\r\nmásodik sor\r\nharmadik ' + 'é'.repeat(80));
    // A new Message-ID each time.
    expect(formatMessage({ from: 'bolt@example.hu', to: ['a@example.hu'], subject: 's', text: 't' }, at)).not.toContain(headers[4]!.slice(12));
  });

  it('encodes a subject or a sender name that is not plain ASCII as an RFC 2047 word, flattens line breaks, and drops quotes from the name', () => {
    const out = formatMessage({ from: 'bolt@example.hu', fromName: 'Árvíztűrő "Bolt"\\', to: ['a@example.hu'], subject: 'Leállt\r\nBcc: x@evil.test', text: '' }, at);
    const headers = out.split('\r\n\r\n')[0]!.split('\r\n');
    expect(headers[0]).toBe(`From: =?UTF-8?B?${b64('Árvíztűrő Bolt')}?= <bolt@example.hu>`);
    expect(headers[2]).toBe(`Subject: =?UTF-8?B?${b64('Leállt Bcc: x@evil.test')}?=`);
    expect(out.endsWith('Auto-Submitted: auto-generated\r\n\r\n')).toBe(true);
    const plain = formatMessage({ from: 'bolt@example.hu', fromName: 'Bolt "Kft"', to: ['a@example.hu'], subject: 'one\n\ntwo\rthree', text: 'x' }, at);
    expect(plain).toContain('\r\nSubject: one two three\r\n');
    expect(plain.startsWith('From: Bolt Kft <bolt@example.hu>\r\n')).toBe(true);
    // Printable ASCII up to "~" stays as it is; a tab or DEL does not.
    expect(formatMessage(msg({ subject: ' !~Az' }), at)).toContain('\r\nSubject:  !~Az\r\n');
    expect(formatMessage(msg({ subject: 'a\tb' }), at)).toContain(`\r\nSubject: =?UTF-8?B?${b64('a\tb')}?=\r\n`);
    expect(formatMessage(msg({ subject: 'a\x7fb' }), at)).toContain(`\r\nSubject: =?UTF-8?B?${b64('a\x7fb')}?=\r\n`);
  });

  it('names only the address as sender when there is no name, and uses localhost in the Message-ID when the sender has no domain', () => {
    const out = formatMessage({ from: 'postmaster', to: ['a@example.hu'], subject: 's', text: 't' }, at);
    expect(out.startsWith('From: postmaster\r\n')).toBe(true);
    expect(out).toMatch(/\r\nMessage-ID: <[0-9a-f-]{36}@localhost>\r\n/);
  });
});

describe('sending over plain SMTP', () => {
  it('greets with EHLO and the host name, sends the envelope and the message, and quits', async () => {
    const { port, sessions } = await scripted();
    await sendMail(opts(port), msg({ to: ['tulaj@example.hu', 'masik@example.hu'], fromName: 'Bolt', text: 'Első sor\nmásodik' }));
    const s = sessions[0]!;
    expect(helo).toMatch(/^EHLO [A-Za-z0-9.-]+$/);
    expect(s.lines).toEqual([helo, 'MAIL FROM:<bolt@example.hu>', 'RCPT TO:<tulaj@example.hu>', 'RCPT TO:<masik@example.hu>', 'DATA', 'QUIT']);
    expect(s.data![0]).toBe('From: Bolt <bolt@example.hu>');
    expect(s.data![1]).toBe('To: tulaj@example.hu, masik@example.hu');
    expect(s.data).toContain('Subject: =?UTF-8?B?' + b64('Próba') + '?=');
    expect(Buffer.from(s.data!.slice(s.data!.indexOf('') + 1).join(''), 'base64').toString('utf8')).toBe('Első sor\r\nmásodik');
    await s.closed;
  });

  it('reads a multi-line reply to its end, a reply split over packets, bare LF line ends and a reply of only a code', async () => {
    const { port, sessions } = await scripted({
      greeting: '220-first line\n220-second',
      on: (line) => {
        if (line.startsWith('EHLO')) return '250-hello\r\n250-SIZE 1000\r\n250 8BITMIME\r\n';
        if (line.startsWith('MAIL')) return '250\r\n';
        return undefined;
      },
    });
    // The rest of the greeting arrives later, in a separate write.
    setTimeout(() => {
      for (const s of sockets) s.write(' line\n220 ready\r\n');
    }, 150);
    await sendMail(opts(port), msg());
    expect(sessions[0]!.lines).toEqual([helo, 'MAIL FROM:<bolt@example.hu>', 'RCPT TO:<tulaj@example.hu>', 'DATA', 'QUIT']);
  });

  it('takes a reply that came before its command was sent, and an error that came before it', async () => {
    // A server that sends its EHLO answer together with the greeting (and so none after EHLO).
    const early = await scripted({ greeting: '220 hi\r\n250 ok\r\n', on: (line) => (line.startsWith('EHLO') ? 'silent' : undefined) });
    await sendMail(opts(early.port), msg());
    expect(early.sessions[0]!.lines).toEqual([helo, 'MAIL FROM:<bolt@example.hu>', 'RCPT TO:<tulaj@example.hu>', 'DATA', 'QUIT']);
    const garbage = await scripted({ greeting: '220 hi\r\nnonsense\r\n', on: (line) => (line.startsWith('EHLO') ? 'silent' : undefined) });
    expect((await refusal(sendMail(opts(garbage.port), msg()))).message).toBe('not an SMTP reply: nonsense');
  });

  it('refuses a reply that is not SMTP, quoting its first 80 characters', async () => {
    const long = 'HTTP/1.1 400 Bad Request ' + 'x'.repeat(100);
    const { port } = await scripted({ greeting: [long] });
    const err = await refusal(sendMail(opts(port), msg()));
    expect(err.message).toBe(`not an SMTP reply: ${long.slice(0, 80)}`);
    expect(err.name).toBe('SmtpError');
    const empty = await scripted({ greeting: '\n220 hi\r\n' });
    expect((await refusal(sendMail(opts(empty.port, { timeoutMs: 1000 }), msg()))).message).toBe('not an SMTP reply: ');
  });

  it('accepts a recipient the server will forward (251), and a refused QUIT after the message went', async () => {
    const { port, sessions } = await scripted({ on: (line) => (line.startsWith('RCPT') ? ['251 2.1.5 will forward'] : line === 'QUIT' ? ['500 no'] : undefined) });
    await expect(sendMail(opts(port), msg())).resolves.toBeUndefined();
    expect(sessions[0]!.data).not.toBeNull();
    expect(sessions[0]!.lines.at(-1)).toBe('QUIT');
  });

  it('names the step and the server\'s reply (its first 200 characters) in each refusal, with the reply code', async () => {
    const cases: Array<[string, Script, string]> = [
      ['greeting', { greeting: ['554 5.3.2 go away'] }, 'the mail server refused the greeting: 554 5.3.2 go away'],
      ['EHLO', { on: (l) => (l.startsWith('EHLO') ? ['501 5.5.4 bad name'] : undefined) }, 'the mail server refused EHLO: 501 5.5.4 bad name'],
      ['sender', { on: (l) => (l.startsWith('MAIL') ? ['550 5.7.1 not you'] : undefined) }, 'the mail server refused the sender: 550 5.7.1 not you'],
      ['recipient', { on: (l) => (l.startsWith('RCPT') ? ['550 5.1.1 no such user'] : undefined) }, 'the mail server refused the recipient tulaj@example.hu: 550 5.1.1 no such user'],
      ['DATA', { on: (l) => (l === 'DATA' ? ['451 4.3.0 later'] : undefined) }, 'the mail server refused DATA: 451 4.3.0 later'],
      ['message', { dataEnd: '554 5.6.0 spam' }, 'the mail server refused the message: 554 5.6.0 spam'],
    ];
    for (const [what, script, message] of cases) {
      const { port, sessions } = await scripted(script);
      const err = await refusal(sendMail(opts(port), msg()));
      expect(err.message, what).toBe(message);
      expect(err.code, what).toBe(Number(message.split(': ')[1]!.slice(0, 3)));
      // The connection is closed after a refusal.
      await sessions[0]!.closed;
    }
    const long = 'y'.repeat(300);
    const { port } = await scripted({ on: (l) => (l.startsWith('MAIL') ? ['550-first part', `550 ${long}`] : undefined) });
    expect((await refusal(sendMail(opts(port), msg()))).message).toBe(`the mail server refused the sender: 550 ${`first part ${long}`.slice(0, 200)}`);
  });

  it('refuses an address that is not one before connecting, and a message without recipients', async () => {
    const { port, sessions } = await scripted();
    const bad = ['a b@example.hu', 'a@b@example.hu', '<a@example.hu>', 'a>@example.hu', 'a@example.hu,b@example.hu', 'a;b@example.hu', '"a"@example.hu', '@example.hu', 'a@', 'nobody',
      'a@example.hu\r\nRCPT TO:<x@evil.test>'];
    for (const a of bad) {
      expect((await refusal(sendMail(opts(port), msg({ to: [a] })))).message, a).toBe(`"${a}" is not an e-mail address`);
      expect((await refusal(sendMail(opts(port), msg({ from: a })))).message, a).toBe(`"${a}" is not an e-mail address`);
    }
    const long = `${'k'.repeat(120)} @example.hu`;
    expect((await refusal(sendMail(opts(port), msg({ to: [long] })))).message).toBe(`"${long.slice(0, 100)}" is not an e-mail address`);
    expect((await refusal(sendMail(opts(port), msg({ to: [] })))).message).toBe('no recipient');
    expect(sessions).toHaveLength(0);
  });

  it('says when the server does not answer in time, closes the connection, and says when it closes or resets it', async () => {
    const silent = await scripted({ greeting: 'silent' });
    const started = Date.now();
    expect((await refusal(sendMail(opts(silent.port, { timeoutMs: 1400 }), msg()))).message).toBe('no answer from the mail server within 1 s (the greeting)');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1300);
    await silent.sessions[0]!.closed;
    const mute = await scripted({ on: (l) => (l.startsWith('MAIL') ? 'silent' : undefined) });
    expect((await refusal(sendMail(opts(mute.port, { timeoutMs: 1600 }), msg()))).message).toBe('no answer from the mail server within 2 s (the sender)');
    const closing = await scripted({ on: (l) => (l.startsWith('RCPT') ? 'close' : undefined) });
    expect((await refusal(sendMail(opts(closing.port), msg()))).message).toBe('the server closed the connection');
    const reset = await scripted({ on: (l, s) => {
      if (!l.startsWith('MAIL')) return undefined;
      s.raw.resetAndDestroy();
      return 'silent';
    } });
    // A reset is an error before it is a close: the error is what the owner is told.
    for (let i = 0; i < 5; i++) expect((await refusal(sendMail(opts(reset.port), msg()))).message).toBe('connection error: read ECONNRESET');
  });

  it('keeps a conversation going that takes longer in all than the time limit, each answer within it', async () => {
    const slow = (s: Session, a: string) => {
      // Each answer after 300 ms: five of them take longer than the 1 s limit.
      setTimeout(() => s.raw.write(a + '\r\n'), 300);
      return 'silent' as const;
    };
    const { port, sessions } = await scripted({
      on: (l, s) => (l.startsWith('EHLO') ? slow(s, '250 hi') : l.startsWith('MAIL') || l.startsWith('RCPT') ? slow(s, '250 ok') : undefined),
    });
    const started = Date.now();
    await sendMail(opts(port, { timeoutMs: 1000 }), msg({ to: ['a@example.hu', 'b@example.hu', 'c@example.hu'] }));
    expect(Date.now() - started).toBeGreaterThan(1400);
    expect(sessions[0]!.lines).toEqual([helo, 'MAIL FROM:<bolt@example.hu>', 'RCPT TO:<a@example.hu>', 'RCPT TO:<b@example.hu>', 'RCPT TO:<c@example.hu>', 'DATA', 'QUIT']);
  });

  it('says which server it cannot reach', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    expect((await refusal(sendMail(opts(port), msg()))).message).toBe(`cannot reach the mail server 127.0.0.1:${port}: ECONNREFUSED`);
    expect((await refusal(sendMail(opts(port, { security: 'ssl' }), msg()))).message).toBe(`cannot reach the mail server 127.0.0.1:${port}: ECONNREFUSED`);
  });
});

describe('logging in', () => {
  it('logs in with AUTH PLAIN when offered (before LOGIN), with the user name and password', async () => {
    const { port, sessions } = await scripted({ ehlo: () => ['AUTH LOGIN PLAIN'], on: (l) => (l.startsWith('AUTH') ? ['235 2.7.0 ok'] : undefined) });
    await sendMail(opts(port, { username: 'bolt@example.hu', password: 'Titok&42' }), msg());
    expect(sessions[0]!.lines.slice(0, 3)).toEqual([helo, `AUTH PLAIN ${b64('\0bolt@example.hu\0Titok&42')}`, 'MAIL FROM:<bolt@example.hu>']);
  });

  it('logs in with AUTH LOGIN when only that is offered, in any case and in the old AUTH= form', async () => {
    for (const offer of ['AUTH LOGIN', 'auth login cram-md5', 'AUTH=LOGIN']) {
      const { port, sessions } = await scripted({
        ehlo: () => ['SIZE 100', offer],
        on: (l) => (l === 'AUTH LOGIN' ? ['334 VXNlcm5hbWU6'] : l === b64('bolt') ? ['334 UGFzc3dvcmQ6'] : l === b64('jelszó') ? ['235 ok'] : undefined),
      });
      await sendMail(opts(port, { username: 'bolt', password: 'jelszó' }), msg());
      expect(sessions[0]!.lines.slice(1, 5), offer).toEqual(['AUTH LOGIN', b64('bolt'), b64('jelszó'), 'MAIL FROM:<bolt@example.hu>']);
    }
  });

  it('sends an empty password when none is set', async () => {
    const plain = await scripted({ ehlo: () => ['AUTH PLAIN'], on: (l) => (l.startsWith('AUTH') ? ['235 ok'] : undefined) });
    await sendMail(opts(plain.port, { username: 'bolt' }), msg());
    expect(plain.sessions[0]!.lines[1]).toBe(`AUTH PLAIN ${b64('\0bolt\0')}`);
    const login = await scripted({ ehlo: () => ['AUTH LOGIN'], on: (l) => (l === 'AUTH LOGIN' || l === b64('bolt') ? ['334 go'] : l === '' ? ['235 ok'] : undefined) });
    await sendMail(opts(login.port, { username: 'bolt' }), msg());
    expect(login.sessions[0]!.lines.slice(1, 4)).toEqual(['AUTH LOGIN', b64('bolt'), '']);
  });

  it('does not log in without a user name, even when the server offers it', async () => {
    const { port, sessions } = await scripted({ ehlo: () => ['AUTH PLAIN LOGIN'] });
    await sendMail(opts(port, { password: 'jelszo' }), msg());
    expect(sessions[0]!.lines.some((l) => l.startsWith('AUTH'))).toBe(false);
  });

  it('says which login step was refused, and when the server offers no login it knows', async () => {
    const plain = await scripted({ ehlo: () => ['AUTH PLAIN'], on: (l) => (l.startsWith('AUTH') ? ['535 5.7.8 bad credentials'] : undefined) });
    const e1 = await refusal(sendMail(opts(plain.port, { username: 'bolt', password: 'rossz' }), msg()));
    expect(e1.message).toBe('the mail server refused the login (AUTH PLAIN): 535 5.7.8 bad credentials');
    expect(e1.message).not.toContain('rossz');
    const steps: Array<[(l: string) => Answer | undefined, string]> = [
      [(l) => (l === 'AUTH LOGIN' ? ['504 no'] : undefined), 'the mail server refused the login (AUTH LOGIN): 504 no'],
      [(l) => (l === 'AUTH LOGIN' ? ['334 u'] : l === b64('bolt') ? ['535 who'] : undefined), 'the mail server refused the user name (AUTH LOGIN): 535 who'],
      [(l) => (l === 'AUTH LOGIN' ? ['334 u'] : l === b64('bolt') ? ['334 p'] : l === b64('rossz') ? ['535 wrong'] : undefined), 'the mail server refused the login (AUTH LOGIN): 535 wrong'],
    ];
    for (const [on, message] of steps) {
      const { port } = await scripted({ ehlo: () => ['AUTH LOGIN'], on });
      expect((await refusal(sendMail(opts(port, { username: 'bolt', password: 'rossz' }), msg()))).message).toBe(message);
    }
    for (const ehlo of [['AUTH CRAM-MD5 XOAUTH2'], ['SIZE 100', 'X-AUTH PLAIN', 'AUTHPLAIN'], []]) {
      const { port, sessions } = await scripted({ ehlo: () => ehlo });
      expect((await refusal(sendMail(opts(port, { username: 'bolt', password: 'x' }), msg()))).message, ehlo.join()).toBe('the mail server offers no login method erp-bridge knows (PLAIN, LOGIN)');
      expect(sessions[0]!.lines).toEqual([helo]);
    }
  });
});

describe('TLS', () => {
  it('speaks STARTTLS when asked for, says EHLO again inside TLS, and logs in with what the server offers there', async () => {
    const { port, sessions } = await scripted({
      ehlo: (secure) => (secure ? ['AUTH PLAIN'] : ['starttls']),
      on: (l, _s, secure) => (l.startsWith('AUTH') ? (secure ? ['235 ok'] : ['530 TLS first']) : undefined),
    });
    await sendMail(opts(port, { host: 'localhost', security: 'starttls', rejectUnauthorized: false, username: 'bolt', password: 'pw' }), msg());
    const s = sessions[0]!;
    expect(s.lines.slice(0, 3)).toEqual([helo, 'STARTTLS', helo]);
    expect(s.secureLines).toEqual([helo, `AUTH PLAIN ${b64('\0bolt\0pw')}`, 'MAIL FROM:<bolt@example.hu>', 'RCPT TO:<tulaj@example.hu>', 'DATA', 'QUIT']);
    expect(s.servername).toBe('localhost');
  });

  it('sends no server name for an IP address', async () => {
    const { port, sessions } = await scripted({ ehlo: () => ['STARTTLS'] });
    await sendMail(opts(port, { security: 'starttls', rejectUnauthorized: false }), msg());
    expect(sessions[0]!.servername).toBe(false);
    expect(sessions[0]!.secureLines[0]).toBe(helo);
  });

  it('keeps a slow conversation over implicit TLS going past the time limit, and names no server for an IP address', async () => {
    // Each answer after 300 ms: the five before DATA take longer than the 1 s limit, each within it.
    const { port, sessions } = await scripted({ tls: 'implicit', replyDelayMs: 300 });
    const started = Date.now();
    await sendMail(opts(port, { security: 'ssl', rejectUnauthorized: false, timeoutMs: 1000 }), msg({ to: ['a@example.hu', 'b@example.hu'] }));
    expect(Date.now() - started).toBeGreaterThan(1400);
    expect(sessions[0]!.lines.map((l) => l.split(/[ :]/)[0])).toEqual(['EHLO', 'MAIL', 'RCPT', 'RCPT', 'DATA', 'QUIT']);
    expect(sessions[0]!.servername).toBe(false);
  });

  it('refuses STARTTLS when the server does not offer it as its own keyword, or refuses the command', async () => {
    for (const ehlo of [['SIZE 100'], ['XSTARTTLS', 'STARTTLSX']]) {
      const { port, sessions } = await scripted({ ehlo: () => ehlo });
      expect((await refusal(sendMail(opts(port, { security: 'starttls', rejectUnauthorized: false }), msg()))).message).toBe('the mail server does not offer STARTTLS (the shop setting asks for tls://)');
      expect(sessions[0]!.lines).toEqual([helo]);
    }
    const { port } = await scripted({ ehlo: () => ['STARTTLS'], on: (l) => (l === 'STARTTLS' ? ['454 4.7.0 TLS not available'] : undefined) });
    expect((await refusal(sendMail(opts(port, { security: 'starttls', rejectUnauthorized: false }), msg()))).message).toBe('the mail server refused STARTTLS: 454 4.7.0 TLS not available');
  });

  it('names EHLO when the server refuses it inside TLS', async () => {
    const { port } = await scripted({ ehlo: () => ['STARTTLS'], on: (l, _s, secure) => (secure && l.startsWith('EHLO') ? ['554 5.7.0 not here'] : undefined) });
    expect((await refusal(sendMail(opts(port, { security: 'starttls', rejectUnauthorized: false }), msg()))).message).toBe('the mail server refused EHLO: 554 5.7.0 not here');
  });

  it('checks the server\'s certificate by default (a self-signed one is refused)', async () => {
    const starttls = await scripted({ ehlo: () => ['STARTTLS'] });
    expect((await refusal(sendMail(opts(starttls.port, { host: 'localhost', security: 'starttls' }), msg()))).message).toMatch(/^TLS with the mail server failed: self[- ]signed certificate/);
    const ssl = await scripted({ tls: 'implicit' });
    expect((await refusal(sendMail(opts(ssl.port, { host: 'localhost', security: 'ssl' }), msg()))).message).toBe(`cannot reach the mail server localhost:${ssl.port}: DEPTH_ZERO_SELF_SIGNED_CERT`);
    expect(ssl.sessions.every((s) => s.lines.length === 0)).toBe(true);
  });

  it('speaks TLS from the first byte for ssl://, with the server name', async () => {
    const { port, sessions } = await scripted({ tls: 'implicit' });
    await sendMail(opts(port, { host: 'localhost', security: 'ssl', rejectUnauthorized: false }), msg());
    expect(sessions[0]!.lines).toEqual([helo, 'MAIL FROM:<bolt@example.hu>', 'RCPT TO:<tulaj@example.hu>', 'DATA', 'QUIT']);
    expect(sessions[0]!.servername).toBe('localhost');
    const plain = await scripted();
    // A plain server where TLS is expected: no TLS, no conversation.
    await refusal(sendMail(opts(plain.port, { security: 'ssl', rejectUnauthorized: false, timeoutMs: 1000 }), msg()));
    const tlsServer = await scripted({ tls: 'implicit' });
    // A TLS server where plain SMTP is expected.
    await refusal(sendMail(opts(tlsServer.port, { timeoutMs: 1000 }), msg()));
  });

  it('gives up on a server that takes the connection but never starts TLS, after the time limit', async () => {
    const quiet = net.createServer((c) => {
      sockets.add(c);
      c.on('error', () => {});
    });
    servers.push(quiet);
    await new Promise<void>((r) => quiet.listen(0, '127.0.0.1', r));
    const port = (quiet.address() as AddressInfo).port;
    const started = Date.now();
    expect((await refusal(sendMail(opts(port, { security: 'ssl', timeoutMs: 1200 }), msg()))).message).toBe(`cannot reach the mail server 127.0.0.1:${port} within 1 s`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1100);
  });
});
