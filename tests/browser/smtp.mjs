// A tiny SMTP server for the browser tests: just enough of RFC 5321 for the
// server's mailer (no TLS, no AUTH) to hand over a message, which the test
// then reads (the password reset link, above all).

import { createServer } from 'node:net';

/**
 * Starts listening on a free port of 127.0.0.1.
 *
 * @returns {Promise<{url: string, messages: string[], nextMessage: (timeout?: number) => Promise<string>, stop: () => Promise<void>}>}
 *   `url` is `smtp://127.0.0.1:PORT` for `--smtp-url`; `nextMessage` resolves with
 *   the next message not yet taken (headers and body, lines joined by `\n`).
 */
export async function startSmtp() {
  const messages = [];
  const waiting = [];
  const sockets = new Set();
  const deliver = (message) => {
    const waiter = waiting.shift();
    if (waiter) waiter(message);
    else messages.push(message);
  };

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.setEncoding('utf8');
    socket.write('220 test ESMTP\r\n');
    let pending = '';
    let data = null;
    socket.on('data', (chunk) => {
      pending += chunk;
      let end;
      while ((end = pending.indexOf('\r\n')) >= 0) {
        const line = pending.slice(0, end);
        pending = pending.slice(end + 2);
        if (data !== null) {
          if (line === '.') {
            deliver(data.join('\n'));
            data = null;
            socket.write('250 queued\r\n');
          } else {
            // Dot-stuffing: a line starting with '.' was sent with one more.
            data.push(line.startsWith('.') ? line.slice(1) : line);
          }
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'DATA') {
          data = [];
          socket.write('354 go on\r\n');
        } else if (verb === 'QUIT') {
          socket.end('221 bye\r\n');
        } else {
          // EHLO, HELO, MAIL, RCPT, RSET, NOOP: all fine.
          socket.write(verb === 'EHLO' || verb === 'HELO' ? '250 test\r\n' : '250 ok\r\n');
        }
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();

  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    nextMessage(timeout = 20_000) {
      if (messages.length) return Promise.resolve(messages.shift());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(done), 1);
          reject(new Error(`no mail within ${timeout} ms`));
        }, timeout);
        const done = (message) => {
          clearTimeout(timer);
          resolve(message);
        };
        waiting.push(done);
      });
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A mail's body as a reader sees it: quoted-printable decoded when the mail says so. */
export function bodyText(mail) {
  const split = mail.indexOf('\n\n');
  const headers = split < 0 ? mail : mail.slice(0, split);
  const body = split < 0 ? '' : mail.slice(split + 2);
  if (!/content-transfer-encoding:\s*quoted-printable/i.test(headers)) return body;
  const joined = body.replace(/=\n/g, '');
  const bytes = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i]));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The password reset link in a mail: `<public URL>/reset-password#secret=...`. */
export function resetLink(mail) {
  const match = bodyText(mail).match(/https?:\/\/[^\s"<>]*\/reset-password#secret=[A-Za-z0-9_-]+/);
  if (!match) throw new Error(`no reset link in the mail:\n${mail}`);
  return match[0];
}

/** A free TCP port of 127.0.0.1 (free a moment ago: another process could take it first). */
export async function freePort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
