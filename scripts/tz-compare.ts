// Temporary: compares the hand-written zone arithmetic in src/lib/time.ts with @date-fns/tz (TZDate).
import { TZDate } from '@date-fns/tz';
import { instantToZoned, zonedToInstant } from '../src/lib/time';

const Z = 'Europe/Copenhagen';
const pad = (n: number) => String(n).padStart(2, '0');
function tzInstantToZoned(at: Date) {
  const d = new TZDate(at.getTime(), Z);
  return { date: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`, time: `${pad(d.getHours())}:${pad(d.getMinutes())}` };
}
function tzZonedToInstant(date: string, time: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi] = time.split(':').map(Number) as [number, number];
  return new Date(new TZDate(y, m - 1, d, h, mi, Z).getTime());
}

// Ten years of meetings and marks: an instant every 37 minutes from 2017 to 2027 (about 142,000).
const start = Date.parse('2017-01-01T00:00:00Z');
const instants: Date[] = [];
for (let t = start; t < Date.parse('2027-01-01T00:00:00Z'); t += 37 * 60_000) instants.push(new Date(t));
const walls = instants.map((i) => instantToZoned(i));

let mismatches = 0;
for (const [k, i] of instants.entries()) {
  const a = instantToZoned(i);
  const b = tzInstantToZoned(i);
  if (a.date !== b.date || a.time !== b.time) mismatches++;
  const w = walls[k]!;
  if (zonedToInstant(w.date, w.time).getTime() !== tzZonedToInstant(w.date, w.time).getTime()) mismatches++;
}
// The DST edges: the spring gap and the autumn overlap.
for (const [d, t] of [['2026-03-29', '02:30'], ['2026-10-25', '02:30'], ['2026-03-29', '03:00'], ['2026-10-25', '03:00'], ['1893-06-01', '12:00']] as const) {
  console.log(`${d} ${t}: hand-written ${zonedToInstant(d, t).toISOString()}  TZDate ${tzZonedToInstant(d, t).toISOString()}`);
}
console.log(`instants: ${instants.length}, mismatches over both directions: ${mismatches}`);

function time(label: string, fn: () => void): void {
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    fn();
    runs.push(performance.now() - t0);
  }
  runs.sort((a, b) => a - b);
  console.log(`${label}: median ${runs[2]!.toFixed(1)} ms (runs ${runs.map((x) => x.toFixed(0)).join(', ')})`);
}
time('instantToZoned, hand-written', () => { for (const i of instants) instantToZoned(i); });
time('instantToZoned, TZDate      ', () => { for (const i of instants) tzInstantToZoned(i); });
time('zonedToInstant, hand-written', () => { for (const w of walls) zonedToInstant(w.date, w.time); });
time('zonedToInstant, TZDate      ', () => { for (const w of walls) tzZonedToInstant(w.date, w.time); });
