// The request metrics as a Prometheus server reads them: counts per route, method and status; cumulative buckets.
import { describe, expect, it } from 'vitest';
import { createRequestTallies, DURATION_BUCKETS } from '../../src/server/metrics';

describe('request tallies in Prometheus text', () => {
  it('counts each route, method and status, and puts each duration in its bucket and every larger one', () => {
    const tallies = createRequestTallies();
    tallies.observe('/grupper/[slug].ics (kept)', 'GET', 200, 0.0004);
    tallies.observe('/grupper/[slug].ics (kept)', 'GET', 200, 0.001); // on a bound: counts in that bucket (le)
    tallies.observe('/grupper/[slug].ics (kept)', 'GET', 304, 0.03);
    tallies.observe('/familie/[token]', 'POST', 303, 9);
    const text = tallies.render();
    expect(text).toContain('http_requests_total{route="/grupper/[slug].ics (kept)",method="GET",status="200"} 2\n');
    expect(text).toContain('http_requests_total{route="/grupper/[slug].ics (kept)",method="GET",status="304"} 1\n');
    expect(text).toContain('http_requests_total{route="/familie/[token]",method="POST",status="303"} 1\n');
    const kept = 'route="/grupper/[slug].ics (kept)",method="GET"';
    expect(text).toContain(`http_request_duration_seconds_bucket{le="0.001",${kept}} 2\n`);
    expect(text).toContain(`http_request_duration_seconds_bucket{le="0.025",${kept}} 2\n`);
    expect(text).toContain(`http_request_duration_seconds_bucket{le="0.05",${kept}} 3\n`);
    expect(text).toContain(`http_request_duration_seconds_bucket{le="+Inf",${kept}} 3\n`);
    expect(text).toContain(`http_request_duration_seconds_count{${kept}} 3\n`);
    expect(text).toMatch(new RegExp(`http_request_duration_seconds_sum\\{${kept.replace(/[[\]().]/g, '\\$&')}\\} 0\\.0314`));
    // Longer than the largest bound: only in +Inf.
    const slow = 'route="/familie/[token]",method="POST"';
    expect(text).toContain(`http_request_duration_seconds_bucket{le="${DURATION_BUCKETS.at(-1)}",${slow}} 0\n`);
    expect(text).toContain(`http_request_duration_seconds_bucket{le="+Inf",${slow}} 1\n`);
    expect(text).toContain('# TYPE http_request_duration_seconds histogram\n');
  });

  it('escapes what would break a label value', () => {
    const tallies = createRequestTallies();
    tallies.observe('a"b\\c\nd', 'GET', 200, 0.01);
    expect(tallies.render()).toContain('http_requests_total{route="a\\"b\\\\c\\nd",method="GET",status="200"} 1\n');
  });
});
