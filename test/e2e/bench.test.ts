import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// `npm run bench` on the demo data, briefly: proves the benchmark still works end to end (its own fresh SQLite
// database and its own server from the same build; never the e2e database, which it would wipe on PostgreSQL).
// It measures nothing worth keeping: timings on a CI machine say little, so only the table and budgets are checked.

const root = resolve(import.meta.dirname, '../..');

function runBench(args: string[]): Promise<{ code: number | null; output: string }> {
  const env = { ...process.env };
  delete env['DATABASE_URL'];
  return new Promise((done) => {
    const child = spawn(resolve(root, 'node_modules/.bin/tsx'), ['scripts/bench/run.ts', ...args], { cwd: root, env });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => done({ code, output }));
  });
}

describe('npm run bench (demo data, 1 s per endpoint)', () => {
  it('measures every endpoint against the app and the bare server and prints the budgets', { timeout: 150_000 }, async () => {
    const { code, output } = await runBench(['--size', 'demo', '--duration', '1', '--connections', '2']);
    expect(code, output).toBe(0);
    const rows = output.split('\n').filter((line) => line.startsWith('| GET '));
    const endpoints = [
      /^\| GET \/grupper\/pigegruppen\.ics\s/,
      /^\| GET \/grupper\/pigegruppen\.ics \(If-None-Match\)/,
      /^\| GET \/grupper\/pigegruppen\s/,
      /^\| GET \/personale\/fremmoede\/<id>/,
      /^\| GET \/personale\/tal\?aar=\d{4}/,
    ];
    for (const pattern of endpoints) {
      const row = rows.find((r) => pattern.test(r));
      expect(row, `${pattern} in\n${output}`).toBeDefined();
      // Cells: endpoint, req/s, p50, p95, p99, bare req/s, bare p95, ratio, SQL demo, SQL large, JS.
      const cells = (row ?? '').split('|').slice(1, -1).map((c) => c.trim());
      expect(Number(cells[1]), row).toBeGreaterThan(0);
      expect(Number(cells[5]), row).toBeGreaterThan(0);
      expect(Number(cells[7]), row).toBeGreaterThan(0);
      expect(Number(cells[8]), row).toBeGreaterThan(0);
    }
    // The query-count and JavaScript budgets hold on any machine; the p95 budget is only judged on the large data.
    expect(output).toMatch(/^PASS {2}queries per request equal between demo and large data$/m);
    expect(output).toMatch(/^PASS {2}public pages 0 KB JavaScript$/m);
    expect(output).toMatch(/^SKIP {2}staff pages p95/m);
  });
});
