// GET /metrics in Prometheus' text format (prom-client), for the municipality's monitoring. Only with
// METRICS_TOKEN set, and only for `Authorization: Bearer <METRICS_TOKEN>`: the route patterns and counts say
// nothing about anyone, but an open endpoint is still one more thing a stranger can poll.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';

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

/** Upper bounds (seconds) of the request-duration histogram's buckets. */
export const DURATION_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** A label value in Prometheus' text format: backslash, double quote and line feed escaped. */
function labelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

interface DurationSeries {
  route: string;
  method: string;
  /** Per bucket (the last one is +Inf), not yet cumulative: one increment per observation. */
  counts: number[];
  sum: number;
}

interface CountSeries {
  route: string;
  method: string;
  status: string;
  count: number;
}

/**
 * The two request metrics, kept in plain numbers and written out as Prometheus text on a scrape. prom-client's
 * labelled histogram checks and hashes the labels on every observation; with the kept public answers costing tens of
 * microseconds each, that was a share worth taking back. Routes are patterns, so there are a few dozen series at most.
 */
export function createRequestTallies(): { observe: Metrics['observe']; render(): string } {
  // Looked up by route, then method, then status: the route patterns and methods are the same few strings every time,
  // whose hashes the engine keeps, so an observation joins no strings and allocates nothing.
  const durations = new Map<string, Map<string, DurationSeries>>();
  const counts = new Map<string, Map<string, Map<number, CountSeries>>>();
  return {
    observe(route, method, status, seconds) {
      let durationsOfRoute = durations.get(route);
      if (durationsOfRoute === undefined) durations.set(route, (durationsOfRoute = new Map()));
      let duration = durationsOfRoute.get(method);
      if (duration === undefined) {
        duration = { route, method, counts: new Array<number>(DURATION_BUCKETS.length + 1).fill(0), sum: 0 };
        durationsOfRoute.set(method, duration);
      }
      let bucket = 0;
      while (bucket < DURATION_BUCKETS.length && seconds > (DURATION_BUCKETS[bucket] ?? Infinity)) bucket += 1;
      duration.counts[bucket] = (duration.counts[bucket] ?? 0) + 1;
      duration.sum += seconds;
      let countsOfRoute = counts.get(route);
      if (countsOfRoute === undefined) counts.set(route, (countsOfRoute = new Map()));
      let countsOfMethod = countsOfRoute.get(method);
      if (countsOfMethod === undefined) countsOfRoute.set(method, (countsOfMethod = new Map()));
      let count = countsOfMethod.get(status);
      if (count === undefined) {
        count = { route, method, status: String(status), count: 0 };
        countsOfMethod.set(status, count);
      }
      count.count += 1;
    },
    render() {
      const lines = [
        '# HELP http_requests_total Requests answered, by route pattern, method and status.',
        '# TYPE http_requests_total counter',
      ];
      for (const c of [...counts.values()].flatMap((byMethod) => [...byMethod.values()].flatMap((byStatus) => [...byStatus.values()]))) {
        lines.push(`http_requests_total{route="${labelValue(c.route)}",method="${labelValue(c.method)}",status="${c.status}"} ${c.count}`);
      }
      lines.push(
        '# HELP http_request_duration_seconds Time from the request to the last byte of the answer, by route pattern.',
        '# TYPE http_request_duration_seconds histogram',
      );
      for (const d of [...durations.values()].flatMap((byMethod) => [...byMethod.values()])) {
        const labels = `route="${labelValue(d.route)}",method="${labelValue(d.method)}"`;
        let cumulative = 0;
        DURATION_BUCKETS.forEach((bound, i) => {
          cumulative += d.counts[i] ?? 0;
          lines.push(`http_request_duration_seconds_bucket{le="${bound}",${labels}} ${cumulative}`);
        });
        cumulative += d.counts[DURATION_BUCKETS.length] ?? 0;
        lines.push(`http_request_duration_seconds_bucket{le="+Inf",${labels}} ${cumulative}`);
        lines.push(`http_request_duration_seconds_sum{${labels}} ${d.sum}`);
        lines.push(`http_request_duration_seconds_count{${labels}} ${cumulative}`);
      }
      return `${lines.join('\n')}\n`;
    },
  };
}

export function createMetrics(token: string | undefined, pool: () => PoolStats | null): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const tallies = createRequestTallies();
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

  return {
    observe: tallies.observe,
    async serve(req, res) {
      if ((req.url ?? '').split('?')[0] !== '/metrics') return false;
      const auth = req.headers.authorization ?? '';
      if (!token || req.method !== 'GET' || !sameSecret(auth, `Bearer ${token}`)) {
        // Unset: as if there were no such page. Set: the same answer, whether the token was wrong or missing.
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Siden findes ikke.\n');
        return true;
      }
      const body = `${tallies.render()}${await registry.metrics()}`;
      res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
      res.end(body);
      return true;
    },
  };
}
