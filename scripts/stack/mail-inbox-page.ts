/**
 * The local mail inbox's web pages: the list of received messages and one message's text. Every
 * value from a message is untrusted (anyone who reaches the SMTP port writes it), so each one is
 * escaped; the server also sends a Content-Security-Policy that allows no script at all.
 */
import { type InboxMessage } from './mail-inbox';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

/** "2026-03-01 09:30:05 UTC": the same on every machine, whatever its time zone. */
function shownTime(iso: string): string {
  return `${iso.slice(0, 19).replace('T', ' ')} UTC`;
}

const STYLE = `
  body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1d2330; }
  h1 { font-size: 1.4rem; margin-bottom: .2rem; }
  .note { color: #5b6475; margin-top: 0; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid #e2e5ea; vertical-align: top; }
  th { font-weight: 600; color: #5b6475; }
  td.time { white-space: nowrap; color: #5b6475; }
  pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f6f7f9; padding: 1rem; border-radius: 6px; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; }
  dt { color: #5b6475; }
  dd { margin: 0; }
`;

function layout(title: string, body: string, opts: { refreshSeconds?: number } = {}): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // No script: the list reloads itself so new messages show up while the page is open.
    ...(opts.refreshSeconds ? [`<meta http-equiv="refresh" content="${opts.refreshSeconds}">`] : []),
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    `<body>${body}</body>`,
    '</html>',
  ].join('\n');
}

const subjectOf = (message: InboxMessage) => message.subject || '(no subject)';

export function listPage(messages: readonly InboxMessage[], cap: number): string {
  const rows = messages.map(
    (m) =>
      `<tr><td class="time">${escapeHtml(shownTime(m.receivedAt))}</td><td>${escapeHtml(m.from)}</td>` +
      `<td>${escapeHtml(m.to.join(', '))}</td>` +
      `<td><a href="/messages/${encodeURIComponent(m.id)}">${escapeHtml(subjectOf(m))}</a></td></tr>`,
  );
  const table = messages.length
    ? `<table><thead><tr><th>Received</th><th>From</th><th>To</th><th>Subject</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
    : '<p>No messages yet. Email that ClinicFlow sends through this inbox shows up here.</p>';
  return layout(
    'Mail inbox · ClinicFlow',
    '<h1>Mail inbox</h1>' +
      `<p class="note">A local development inbox: it keeps the last ${cap} messages in memory (gone when ` +
      'ClinicFlow stops) and delivers nothing to anyone. Newest first; the page refreshes every 5 seconds. ' +
      'JSON: <a href="/api/messages">/api/messages</a>.</p>' +
      table,
    { refreshSeconds: 5 },
  );
}

export function messagePage(message: InboxMessage): string {
  const field = (name: string, value: string) => `<dt>${name}</dt><dd>${escapeHtml(value)}</dd>`;
  return layout(
    `${subjectOf(message)} · Mail inbox`,
    '<p><a href="/">← All messages</a></p>' +
      `<h1>${escapeHtml(subjectOf(message))}</h1>` +
      `<dl>${field('From', message.from)}${field('To', message.to.join(', '))}${field('Received', shownTime(message.receivedAt))}</dl>` +
      `<pre>${escapeHtml(message.text || '(no text)')}</pre>`,
  );
}

export function notFoundPage(): string {
  return layout('Not found · Mail inbox', '<p><a href="/">← All messages</a></p><h1>Not found</h1><p>This message is not (or no longer) in the inbox.</p>');
}
