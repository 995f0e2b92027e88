// One real OS process running the server's outbox worker (features/messages/messages.worker.ts) against DATABASE_URL
// and SMTP_URL, for the tests that run two of them at once or kill one with SIGKILL. It prints "ready" once the worker
// is polling, and stops by itself when it has seen messages and none is left to send (pending or being sent).
//   node --import tsx test/support/outbox-worker-process.ts
import { getDatabaseHandle, getDb } from '../../src/lib/server/db';
import { startOutboxWorker, stopOutboxWorker } from '../../src/features/messages/messages.worker';

startOutboxWorker();
console.log('ready');

let seen = false;
const watch = setInterval(() => {
  void getDb()
    .selectFrom('outbox_messages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', 'in', ['pending', 'sending'])
    .executeTakeFirstOrThrow()
    .then(async ({ n }) => {
      if (Number(n) > 0) seen = true;
      else if (seen) {
        clearInterval(watch);
        await stopOutboxWorker();
        await getDatabaseHandle().close();
        process.exit(0);
      }
    });
}, 200);
