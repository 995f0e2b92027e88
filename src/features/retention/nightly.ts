// The nightly housekeeping, started once per server process: the retention purge, expired sessions and old rate
// limit counts. Each process looks every 15 minutes; runNightlyMaintenance only acts between 02.00 and 06.00
// Copenhagen time and lets exactly one process per night do the work (a conditional update in app_settings).
// NIGHTLY_JOBS=off turns it off (e.g. for a test server whose data must not change under it).
import { runNightlyMaintenance } from './retention.service';
import { regenerateAllGroups } from '../schedule/schedule.service';
import { getDb } from '../../lib/server/db';

const CHECK_EVERY_MS = 15 * 60 * 1000;
let started = false;

export function startNightlyJobs(): void {
  if (started || process.env['NIGHTLY_JOBS'] === 'off') return;
  started = true;
  let running = false;
  const tick = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      const result = await runNightlyMaintenance(getDb(), new Date());
      if (result.ran) {
        // Keep every group planned twelve months ahead as the months roll on (boot does it too).
        await regenerateAllGroups(getDb(), new Date());
        console.log(
          `Natlig oprydning: ${result.purge?.purged ?? 0} børn slettet efter opbevaringsperioden, `
          + `${result.sessionsPruned ?? 0} udløbne logins og ${result.rateLimitsPruned ?? 0} gamle tællere fjernet.`,
        );
      }
    } catch (error) {
      console.error('Natlig oprydning fejlede:', error instanceof Error ? error.message : error);
    } finally {
      running = false;
    }
  };
  // unref: the timer never keeps a process alive (a build, a test run, a CLI that imported this module).
  setTimeout(() => void tick(), 60_000).unref();
  setInterval(() => void tick(), CHECK_EVERY_MS).unref();
}
