// GET /metrics in Prometheus' text format (prom-client), for the municipality's monitoring. Only with
// METRICS_TOKEN set, and only for `Authorization: Bearer <METRICS_TOKEN>`: the route patterns and counts say
// nothing about anyone, but an open endpoint is still one more thing a stranger can poll.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  /** One finished request: its route pattern (never the address), method and status. */
  observe(route: string, method: string, status: number, seconds: number): void;
  /** Answers GET /metrics; false when the request is not for it. */
  serve(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

/** What the database pool looks like right now (PostgreSQL; SQLite has one connection and no pool). */
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function createMetrics(token: string | undefined, pool: () => PoolStats | null): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'Requests answered, by route pattern, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from the request to the last byte of the answer, by route pattern.',
    labelNames: ['route', 'method'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  for (const [name, help, pick] of [
    ['db_pool_connections', 'Connections the database pool holds (PostgreSQL).', (s: PoolStats) => s.total],
    ['db_pool_idle_connections', 'Idle connections in the database pool (PostgreSQL).', (s: PoolStats) => s.idle],
    ['db_pool_waiting_queries', 'Queries waiting for a connection (PostgreSQL).', (s: PoolStats) => s.waiting],
  ] as const) {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const stats = pool();
        if (stats) this.set(pick(stats));
      },
    });
  }

  // The labelled series of each route, method and status, found once: prom-client otherwise hashes the labels on
  // every observation. Routes are patterns, so there are a few dozen of these at most.
  const series = new Map<string, { count: () => void; time: (seconds: number) => void }>();
  return {
    observe(route, method, status, seconds) {
      const key = `${route} ${method} ${status}`;
      let one = series.get(key);
      if (one === undefined) {
        const counter = requests.labels(route, method, String(status));
        const histogram = durations.labels(route, method);
        one = { count: () => counter.inc(), time: (value) => histogram.observe(value) };
        series.set(key, one);
      }
      one.count();
      one.time(seconds);
    },
    async serve(req, res) {
      if ((req.url ?? '').split('?')[0] !== '/metrics') return false;
      const auth = req.headers.authorization ?? '';
      if (!token || req.method !== 'GET' || !sameSecret(auth, `Bearer ${token}`)) {
        // Unset: as if there were no such page. Set: the same answer, whether the token was wrong or missing.
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Siden findes ikke.\n');
        return true;
      }
      const body = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
      res.end(body);
      return true;
    },
  };
}
