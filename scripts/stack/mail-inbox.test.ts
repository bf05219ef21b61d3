/**
 * The local mail inbox `npm start` runs: what a client sends over SMTP shows up, newest first, in
 * its JSON API and on its web page, with the message's untrusted content escaped; it keeps a
 * bounded number of messages; stopping it frees both ports.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { z } from 'zod';
import { smtpEmailProvider } from '../../activities/messaging/providers/email/smtp/connector';
import { type MailInbox, startMailInbox } from './mail-inbox';
import { freePort, isPortOpen } from './ports';

const messageSchema = z.object({
  id: z.string(),
  from: z.string(),
  to: z.array(z.string()),
  subject: z.string(),
  text: z.string(),
  receivedAt: z.iso.datetime(),
});

/** Sends like the SMTP adapter does: plain SMTP to loopback, with AUTH. */
async function send(inbox: MailInbox, mail: SendMailOptions, auth = { user: 'sunrise', pass: 'any-password' }): Promise<string> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: inbox.smtpPort, secure: false, auth });
  try {
    const info = await transport.sendMail(mail);
    return String(info.response);
  } finally {
    transport.close();
  }
}

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

async function getPage(url: string): Promise<{ status: number; html: string; csp: string | null }> {
  const response = await fetch(url);
  return { status: response.status, html: await response.text(), csp: response.headers.get('content-security-policy') };
}

describe('the local mail inbox', () => {
  let inbox: MailInbox;
  before(async () => {
    inbox = await startMailInbox({ smtpPort: 0, webPort: 0 });
  });
  after(async () => {
    await inbox.stop();
  });

  test('shows a message sent over SMTP in the JSON API and on the web page', async () => {
    const response = await send(inbox, {
      from: { name: 'Sunrise Therapy Centre', address: 'appointments@sunrise.clinicflow.test' },
      to: 'emily.carter@example.com',
      subject: 'Your appointment on 3 March',
      text: 'Dear Emily,\nsee you on Tuesday at 10:00.',
      html: '<p>Dear Emily,<br>see you on Tuesday at 10:00.</p>',
    });

    const list = await getJson(`${inbox.webUrl}/api/messages`);
    assert.equal(list.status, 200);
    const [message] = z.array(messageSchema).parse(list.body);
    assert.ok(message);
    assert.deepEqual(
      { from: message.from, to: message.to, subject: message.subject, text: message.text },
      {
        from: 'Sunrise Therapy Centre <appointments@sunrise.clinicflow.test>',
        to: ['emily.carter@example.com'],
        subject: 'Your appointment on 3 March',
        text: 'Dear Emily,\nsee you on Tuesday at 10:00.',
      },
    );
    // The SMTP adapter takes the id from "queued as …" as the provider's message id.
    assert.match(response, new RegExp(`queued as ${message.id}$`));

    const one = await getJson(`${inbox.webUrl}/api/messages/${message.id}`);
    assert.deepEqual(messageSchema.parse(one.body), message);
    assert.equal((await getJson(`${inbox.webUrl}/api/messages/999999`)).status, 404);

    const page = await getPage(`${inbox.webUrl}/`);
    assert.equal(page.status, 200);
    for (const shown of ['Your appointment on 3 March', 'Sunrise Therapy Centre &lt;appointments@sunrise.clinicflow.test&gt;', 'emily.carter@example.com', 'in memory']) {
      assert.ok(page.html.includes(shown), `the list shows ${shown}`);
    }
    const detail = await getPage(`${inbox.webUrl}/messages/${message.id}`);
    assert.equal(detail.status, 200);
    assert.ok(detail.html.includes('Dear Emily,\nsee you on Tuesday at 10:00.'), 'the message page shows its text');
    assert.match(detail.csp ?? '', /default-src 'none'/);
  });

  test('decodes non-ASCII headers and text, and takes mail without AUTH too', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: inbox.smtpPort, secure: false });
    try {
      await transport.sendMail({
        from: { name: 'Centro Sunrise, Recepción', address: 'citas@sunrise.clinicflow.test' },
        to: [{ name: 'Sofía Ramírez', address: 'sofia.ramirez@example.com' }, 'neha.sharma@example.com'],
        subject: 'Recordatorio: su cita — नमस्ते',
        text: 'Hola Sofía, su cita es mañana. नमस्ते',
      });
    } finally {
      transport.close();
    }
    const [message] = z.array(messageSchema).parse((await getJson(`${inbox.webUrl}/api/messages`)).body);
    assert.equal(message?.from, 'Centro Sunrise, Recepción <citas@sunrise.clinicflow.test>');
    assert.deepEqual(message?.to, ['Sofía Ramírez <sofia.ramirez@example.com>', 'neha.sharma@example.com']);
    assert.equal(message?.subject, 'Recordatorio: su cita — नमस्ते');
    assert.equal(message?.text, 'Hola Sofía, su cita es mañana. नमस्ते');
  });

  test('lists newest first and escapes HTML from the message on its pages', async () => {
    await send(inbox, {
      from: '"<b>Mallory</b>" <mallory@example.com>',
      to: 'staff@example.com',
      subject: '<script>alert(1)</script> & <img src=x onerror=alert(2)>',
      text: '</pre><script>alert(3)</script>',
    });
    const messages = z.array(messageSchema).parse((await getJson(`${inbox.webUrl}/api/messages`)).body);
    assert.equal(messages[0]?.subject, '<script>alert(1)</script> & <img src=x onerror=alert(2)>', 'the API returns it as sent');
    const ids = messages.map((m) => Number(m.id));
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first');

    const list = await getPage(`${inbox.webUrl}/`);
    const detail = await getPage(`${inbox.webUrl}/messages/${messages[0]?.id}`);
    for (const html of [list.html, detail.html]) {
      assert.ok(!html.includes('<script'), 'no script tag from the message');
      assert.ok(!html.includes('<img'), 'no img tag from the message');
      assert.ok(!html.includes('<b>Mallory'), 'no markup from the sender name');
      assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(2)&gt;'));
    }
    assert.ok(detail.html.includes('&lt;/pre&gt;&lt;script&gt;alert(3)&lt;/script&gt;'));
  });

  test('is read-only and answers to local host names only', async () => {
    const post = await fetch(`${inbox.webUrl}/api/messages`, { method: 'POST', body: '{}' });
    assert.equal(post.status, 405);
    // fetch will not set Host; a page served by DNS rebinding would send its own name there.
    const rebound = await new Promise<number | undefined>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: inbox.webPort, path: '/api/messages', headers: { host: `attacker.example:${inbox.webPort}` } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject);
    });
    assert.equal(rebound, 421);
    assert.equal((await getPage(`${inbox.webUrl}/messages/nope`)).status, 404);
  });
});

test("takes the SMTP adapter's mail as the seed configures the demo clinic: plain SMTP, AUTH, no endpoint override", async () => {
  const inbox = await startMailInbox({ smtpPort: 0, webPort: 0 });
  const credentials = smtpEmailProvider.credentials.parse({
    host: '127.0.0.1', port: inbox.smtpPort, secure: false, username: 'sunrise', password: 'a-random-local-password',
    fromAddress: 'appointments@sunrise.clinicflow.test', fromName: 'Sunrise Therapy Centre',
  });
  const client = smtpEmailProvider.connect(credentials, {});
  try {
    const receipt = await client.send({
      idempotencyKey: 'message/demo/1/attempt-1',
      from: { address: 'ignored@example.com' },
      to: 'kavya.reddy@example.com',
      subject: 'Appointment confirmed',
      text: 'See you soon.',
    });
    const [message] = z.array(messageSchema).parse((await getJson(`${inbox.webUrl}/api/messages`)).body);
    assert.equal(receipt.providerMessageId, message?.id, 'the receipt names the inbox message');
    assert.equal(message?.from, 'Sunrise Therapy Centre <appointments@sunrise.clinicflow.test>');
    assert.deepEqual(message?.to, ['kavya.reddy@example.com']);
  } finally {
    await client.close();
    await inbox.stop();
  }
});

test('keeps only the newest messages up to its cap', async () => {
  const inbox = await startMailInbox({ smtpPort: 0, webPort: 0, maxMessages: 3 });
  try {
    for (const n of [1, 2, 3, 4, 5]) await send(inbox, { from: 'a@example.com', to: 'b@example.com', subject: `message ${n}`, text: `${n}` });
    const messages = z.array(messageSchema).parse((await getJson(`${inbox.webUrl}/api/messages`)).body);
    assert.deepEqual(messages.map((m) => m.subject), ['message 5', 'message 4', 'message 3']);
    const page = await getPage(`${inbox.webUrl}/`);
    assert.ok(!page.html.includes('message 1') && !page.html.includes('message 2'), 'dropped messages are gone from the page');
    assert.ok(page.html.includes('last 3 messages'), 'the page says how many it keeps');
  } finally {
    await inbox.stop();
  }
});

test('listens on the ports it is given and frees both when stopped', async () => {
  const [smtpPort, webPort] = [await freePort(), await freePort()];
  const inbox = await startMailInbox({ smtpPort, webPort });
  assert.equal(inbox.smtpUrl, `smtp://127.0.0.1:${smtpPort}`);
  assert.equal(inbox.webUrl, `http://localhost:${webPort}`);
  assert.equal(await isPortOpen(smtpPort), true);
  assert.equal(await isPortOpen(webPort), true);
  // Clients still connected (an idle pooled SMTP connection, a browser's kept-alive one) must not
  // keep the inbox from stopping.
  const idle = net.connect({ host: '127.0.0.1', port: smtpPort });
  await once(idle, 'data'); // the greeting
  await (await fetch(`${inbox.webUrl}/`)).text();

  await inbox.stop();
  idle.destroy();
  assert.equal(await isPortOpen(smtpPort), false, 'SMTP port freed');
  assert.equal(await isPortOpen(webPort), false, 'web port freed');
});

test('fails to start, holding no port, when a port is taken', async () => {
  const taken = await startMailInbox({ smtpPort: 0, webPort: 0 });
  try {
    const smtpPort = await freePort();
    await assert.rejects(startMailInbox({ smtpPort, webPort: taken.webPort }), /EADDRINUSE/);
    assert.equal(await isPortOpen(smtpPort), false, 'the SMTP server it started was closed again');
  } finally {
    await taken.stop();
  }
});
