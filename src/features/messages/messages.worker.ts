// The outbox worker, started once per server process (next to the nightly jobs): every OUTBOX_POLL_MS (5 s) it puts
// due reminders in the outbox (once a minute) and sends due messages in batches until none are due. Several processes
// may run it at once: claims are leased (FOR UPDATE SKIP LOCKED on PostgreSQL), so no message goes twice.
// OUTBOX_WORKER=off turns it off (a CLI, a test that drives delivery itself).
import { randomUUID } from 'node:crypto';
import { getDb } from '../../lib/server/db';
import { createMailSender } from '../../lib/server/mail';
import { createSmsSender } from '../../lib/server/sms';
import { BATCH_SIZE, deliverDueMessages, scheduleReminders, type Senders } from './messages.service';

/** How often reminders are looked for (OUTBOX_REMINDER_SCAN_MS; the browser tests make it short). */
const REMINDER_SCAN_MS = Number(process.env['OUTBOX_REMINDER_SCAN_MS'] ?? 60_000);

let timer: NodeJS.Timeout | null = null;
let running: Promise<void> | null = null;
let stopped = false;
let senders: Senders | null = null;

/** The senders from the environment (SMTP_URL, MAIL_FROM, SMS_GATEWAY_URL, SMS_GATEWAY_TOKEN). */
export function sendersFromEnv(log: (line: string) => void = (line) => console.log(line)): Senders {
  return {
    mail: createMailSender(process.env['SMTP_URL'], process.env['MAIL_FROM']),
    sms: createSmsSender(process.env['SMS_GATEWAY_URL'], process.env['SMS_GATEWAY_TOKEN']),
    log,
  };
}

/**
 * How the project's HTTP server (src/server/main.ts) stops the worker before it closes the database on shutdown: the
 * site is a separate bundle, so the server finds the stopper under this well-known symbol (as it finds the database's).
 */
export const STOP_OUTBOX_WORKER = Symbol.for('gruppeforlob.stopOutboxWorker');

export function startOutboxWorker(): void {
  if (timer || stopped || process.env['OUTBOX_WORKER'] === 'off') return;
  Reflect.set(globalThis, STOP_OUTBOX_WORKER, stopOutboxWorker);
  const pollMs = Number(process.env['OUTBOX_POLL_MS'] ?? 5000);
  const workerId = `${process.pid}:${randomUUID()}`;
  const active = sendersFromEnv();
  senders = active;
  console.log(
    `Beskeder: e-mail ${active.mail ? `via ${active.mail.describe}` : 'sendes ikke (SMTP_URL er ikke sat)'}, `
    + `SMS ${active.sms ? `via ${active.sms.describe}` : 'sendes ikke (SMS_GATEWAY_URL er ikke sat)'}.`,
  );
  let lastReminderScan = 0;
  const tick = async (): Promise<void> => {
    try {
      const db = getDb();
      if (Date.now() - lastReminderScan >= REMINDER_SCAN_MS) {
        lastReminderScan = Date.now();
        await scheduleReminders(db, new Date());
      }
      for (;;) {
        const result = await deliverDueMessages(db, active, workerId, new Date());
        if (result.claimed < BATCH_SIZE || stopped) break;
      }
    } catch (error) {
      console.error('Beskeder: udsendelsen fejlede:', error instanceof Error ? error.message : error);
    }
  };
  const loop = (): void => {
    running = tick().finally(() => {
      running = null;
      if (!stopped) timer = setTimeout(loop, pollMs).unref();
    });
  };
  timer = setTimeout(loop, Math.min(pollMs, 1000)).unref();
}

/** Stops the worker: no new batch starts; the one being sent is finished. Call on shutdown. */
export async function stopOutboxWorker(): Promise<void> {
  stopped = true;
  if (timer) clearTimeout(timer);
  timer = null;
  await running;
  senders?.mail?.close();
  senders = null;
}
