// Messages per second through SMTP on this machine: N messages in the outbox of a fresh SQLite database, sent by
// the worker's own delivery function to a real SMTP server on loopback (smtp-server + mailparser, as in the tests).
// npx tsx scripts/bench/mail.ts [N]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deliverDueMessages } from '../../src/features/messages/messages.service';
import { createMailSender } from '../../src/lib/server/mail';
import { migrateToLatest, openDatabase } from '../../src/lib/server/db';
import { startMailbox } from '../../test/support/mailbox';

const total = Number(process.argv[2] ?? 1000);
const dir = mkdtempSync(join(tmpdir(), 'mail-bench-'));
const handle = openDatabase(process.env['DATABASE_URL'] ?? join(dir, 'bench.sqlite'));
await migrateToLatest(handle.db);
await handle.db.deleteFrom('outbox_messages').execute();
const mailbox = await startMailbox();
const at = new Date().toISOString();
const text = 'Mødet i Pigegruppen er flyttet.\n\nNy tid: onsdag 9. december 2026 kl. 16.00-18.00.\n\nSted: Familiecentret.';
for (let i = 0; i < total; i += 500) {
  await handle.db.insertInto('outbox_messages').values(Array.from({ length: Math.min(500, total - i) }, (_, k) => ({
    id: `bench-${i + k}`, kind: 'meeting_changed', channel: 'email' as const, recipient: `forælder${i + k}@bench.test`, language: 'da' as const,
    subject: 'Ny tid: Pigegruppen onsdag 9. december 2026', body_text: text, body_html: `<p>${text}</p>`, unsubscribe_url: null, payload: '{}',
    status: 'pending' as const, send_after: at, message_id: `<bench-${i + k}@bench.test>`, created_at: at, updated_at: at,
  }))).execute();
}
const senders = { mail: createMailSender(mailbox.smtpUrl, undefined), sms: null, log: () => undefined };
const started = performance.now();
let sent = 0;
for (;;) {
  const result = await deliverDueMessages(handle.db, senders, 'bench', new Date());
  sent += result.sent;
  if (result.claimed === 0) break;
}
const seconds = (performance.now() - started) / 1000;
console.log(`${sent} messages sent through SMTP in ${seconds.toFixed(2)} s: ${(sent / seconds).toFixed(0)} messages/s (${mailbox.received.length} arrived, batch 20, 3 pooled connections, ${handle.target.kind})`);
senders.mail?.close();
await mailbox.close();
await handle.close();
rmSync(dir, { recursive: true, force: true });
