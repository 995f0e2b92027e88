// The one log line per request: what an operator's log search reads, and when it is written.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { gatherLines, requestLogLine } from '../../src/server/request-log';

describe('the request log line', () => {
  it('is one JSON object a line, in pino’s shape, with the route pattern and never more than the facts given', () => {
    const line = requestLogLine({ requestId: 'r-1', method: 'GET', route: '/familie/[token]', status: 200, ms: 1.5, userId: null });
    expect(line.endsWith('}\n')).toBe(true);
    expect(line.split('\n')).toHaveLength(2);
    const parsed = JSON.parse(line) as Record<string, unknown>;
    expect(parsed).toMatchObject({ level: 30, reqId: 'r-1', method: 'GET', route: '/familie/[token]', status: 200, ms: 1.5, msg: 'request' });
    expect(typeof parsed['time']).toBe('string');
    expect(Number.isNaN(Date.parse(String(parsed['time'])))).toBe(false);
    expect(parsed).not.toHaveProperty('userId');
  });

  it('names the signed-in user, marks a server error as an error, and keeps odd characters inside the JSON', () => {
    const parsed = JSON.parse(requestLogLine({ requestId: 'r-2', method: 'POST', route: 'a"b\\c\nd', status: 500, ms: 3, userId: 'u-7' })) as Record<string, unknown>;
    expect(parsed).toMatchObject({ level: 50, userId: 'u-7', route: 'a"b\\c\nd', status: 500 });
  });
});

describe('gathered lines', () => {
  afterEach(() => vi.useRealTimers());

  it('writes once enough bytes have gathered, in order, and the rest after the wait or on flush', () => {
    vi.useFakeTimers();
    const written: string[] = [];
    const lines = gatherLines((chunk) => written.push(chunk), 10, 250);
    lines.line('aaaa\n');
    expect(written).toEqual([]);
    lines.line('bbbbbb\n');
    expect(written).toEqual(['aaaa\nbbbbbb\n']);
    lines.line('c\n');
    vi.advanceTimersByTime(249);
    expect(written).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(written).toEqual(['aaaa\nbbbbbb\n', 'c\n']);
    lines.line('d\n');
    lines.flush();
    expect(written.at(-1)).toBe('d\n');
    lines.flush();
    expect(written).toHaveLength(3);
  });

  it('writes an urgent line at once, after the lines gathered before it', () => {
    vi.useFakeTimers();
    const written: string[] = [];
    const lines = gatherLines((chunk) => written.push(chunk), 1000, 250);
    lines.line('request\n');
    lines.urgent('error\n');
    expect(written).toEqual(['request\nerror\n']);
    vi.advanceTimersByTime(250);
    expect(written).toHaveLength(1);
  });
});
