// One JSON line per request, in the shape pino writes every other line of ours ({"level":30,"time":…,…,"msg":…}), but
// built by hand: pino's general serialiser was the largest single cost of a kept public answer (measured on a quiet
// machine with a stand-in renderer: 50 µs of CPU per kept 304 with the pino line, 38 µs without any line).

/**
 * The time as pino's timestamp option wants it (`,"time":"<ISO>"`), made again only when a millisecond has passed
 * (many requests share one when busy). The millisecond is told by the monotonic clock, a fast call; the wall clock
 * (`Date.now`, a call into the runtime) is read only to make a new text.
 */
let stampedAt = Number.NEGATIVE_INFINITY;
let stamp = '';
export function isoTime(): string {
  const now = performance.now();
  if (now - stampedAt >= 1) {
    stampedAt = now;
    stamp = `,"time":"${new Date().toISOString()}"`;
  }
  return stamp;
}

export interface RequestFacts {
  /** The server's own id for the request (a UUID): never taken from the request, so it needs no escaping. */
  requestId: string;
  method: string;
  /** The route pattern (never the path: tokens live in paths). */
  route: string;
  status: number;
  /** Milliseconds, one decimal. */
  ms: number;
  userId: string | null;
}

/**
 * `,"method":…,"route":…,"status":…` for each route, method and status seen, made once: routes are patterns and
 * methods are the ones node:http knows, so there are a few hundred at most.
 */
const middles = new Map<string, Map<string, Map<number, string>>>();
function middleOf(method: string, route: string, status: number): string {
  let byMethod = middles.get(route);
  if (byMethod === undefined) middles.set(route, (byMethod = new Map()));
  let byStatus = byMethod.get(method);
  if (byStatus === undefined) byMethod.set(method, (byStatus = new Map()));
  let middle = byStatus.get(status);
  if (middle === undefined) byStatus.set(status, (middle = `,"method":${JSON.stringify(method)},"route":${JSON.stringify(route)},"status":${status}`));
  return middle;
}

/** The line, ending in a line feed: info (30), or error (50) for an answer of 500 or more. */
export function requestLogLine(facts: RequestFacts): string {
  const user = facts.userId === null ? '' : `,"userId":${JSON.stringify(facts.userId)}`;
  return (
    `{"level":${facts.status >= 500 ? 50 : 30}${isoTime()},"reqId":"${facts.requestId}"${middleOf(facts.method, facts.route, facts.status)},` +
    `"ms":${facts.ms}${user},"msg":"request"}\n`
  );
}

export interface GatheredLines {
  /** Adds one line; it is written with the others once `bytes` have gathered, or `ms` after the first of them. */
  line(text: string): void;
  /** Adds one line and writes it, with all gathered before it, now (an error must not wait in memory). */
  urgent(text: string): void;
  /** Writes what has gathered now. */
  flush(): void;
}

/**
 * Request lines gathered into one write of up to `bytes`. pino's destination (sonic-boom) buffers too, but measures
 * the byte length of its whole growing buffer on every write: with a line per request that was 2-3 µs a line, the
 * largest cost of a kept public answer after the socket write itself.
 */
export function gatherLines(write: (chunk: string) => void, bytes = 4096, ms = 250): GatheredLines {
  let lines: string[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | null = null;
  const flush = (): void => {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    if (lines.length === 0) return;
    const chunk = lines.join('');
    lines = [];
    size = 0;
    write(chunk);
  };
  return {
    line(text) {
      lines.push(text);
      size += text.length;
      if (size >= bytes) flush();
      else if (timer === null) timer = setTimeout(flush, ms).unref();
    },
    urgent(text) {
      lines.push(text);
      flush();
    },
    flush,
  };
}
