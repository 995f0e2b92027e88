// The public fast path in front of a stand-in for Astro (a node:http handler that counts its renders): what is kept,
// for whom, and when it stops being served.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFastPath } from '../../src/server/public-fast-path';

describe('the public fast path', () => {
  let server: Server;
  let base: string;
  let version: string | null = '1';
  let clock = 0;
  let renders = 0;
  let body = 'BEGIN:VCALENDAR v1';

  beforeAll(async () => {
    const fast = createFastPath(() => version, () => clock);
    server = createServer((req, res) => {
      void (async () => {
        const https = false;
        // As the server does: serve is asked first, for every request, and checks the request itself.
        if (fast.serve(req, res, https, `r-${renders}`)) return;
        if (fast.eligible(req)) await fast.capture(req, res, https);
        renders += 1;
        const etag = `"${body.length}-${body.slice(-2)}"`;
        // As the app does: a matching tag, or (without a tag) any If-Modified-Since, since nothing here changes.
        if (req.headers['if-none-match'] === etag || (req.headers['if-none-match'] === undefined && req.headers['if-modified-since'] !== undefined)) {
          res.writeHead(304, { etag });
          res.end();
          return;
        }
        const headers: Record<string, string> = { 'content-type': 'text/calendar; charset=utf-8', etag, 'x-request-id': String(renders) };
        if (req.headers.cookie) headers['set-cookie'] = 'session=refreshed';
        res.writeHead(req.url?.includes('missing') ? 404 : 200, headers);
        res.end(`${body} for ${req.headers.cookie ? 'a staff member' : 'anyone'} at ${req.headers.host ?? ''}`);
      })();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  it('answers the second anonymous request from memory, with the same status, headers and bytes', async () => {
    const first = await fetch(`${base}/grupper/pigegruppen.ics`);
    const firstBody = await first.text();
    const before = renders;
    const second = await fetch(`${base}/grupper/pigegruppen.ics`);
    expect(renders).toBe(before);
    expect(second.status).toBe(200);
    expect(await second.text()).toBe(firstBody);
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(second.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    // Per request, never kept: the request id is this request's own, not the kept answer's.
    expect(second.headers.get('x-request-id')).toBe(`r-${before}`);
    expect(second.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
    const notModified = await fetch(`${base}/grupper/pigegruppen.ics`, { headers: { 'if-none-match': first.headers.get('etag') ?? '' } });
    expect(notModified.status).toBe(304);
    expect(renders).toBe(before);
  });

  it('never keeps nor serves an answer to a request with a cookie, nor a page outside the public paths', async () => {
    await fetch(`${base}/grupper/soeskendegruppen-unge`);
    const before = renders;
    const staff = await fetch(`${base}/grupper/soeskendegruppen-unge`, { headers: { cookie: 'session=abc' } });
    expect(await staff.text()).toContain('a staff member');
    expect(renders).toBe(before + 1);
    await fetch(`${base}/personale/grupper`);
    await fetch(`${base}/personale/grupper`);
    await fetch(`${base}/grupper/pigegruppen?x=1`);
    await fetch(`${base}/grupper/pigegruppen?x=1`);
    expect(renders).toBe(before + 5);
    await fetch(`${base}/grupper/missing`);
    await fetch(`${base}/grupper/missing`);
    expect(renders).toBe(before + 7);
    // A kept address asked with credentials, or with another method: not from memory.
    await fetch(`${base}/grupper/soeskendegruppen-unge`, { headers: { authorization: 'Bearer x' } });
    await fetch(`${base}/grupper/soeskendegruppen-unge`, { method: 'POST' });
    expect(renders).toBe(before + 9);
  });

  it('keeps the same address apart for each host it was asked on, and holds at most 200 answers', async () => {
    const port = (server.address() as AddressInfo).port;
    const asHost = async (host: string, path = '/grupper/vaerter'): Promise<string> => {
      // fetch() sets Host itself; a raw request names its own.
      return new Promise((done, fail) => {
        request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => done(text));
        }).on('error', fail).end();
      });
    };
    expect(await asHost('a.example')).toContain('at a.example');
    expect(await asHost('b.example')).toContain('at b.example');
    const before = renders;
    expect(await asHost('a.example')).toContain('at a.example');
    expect(await asHost('b.example')).toContain('at b.example');
    expect(renders).toBe(before);
    // 200 more addresses: the ones kept longest ago go first.
    for (let n = 0; n < 200; n += 1) await asHost('a.example', `/grupper/fyld-${n}`);
    const full = renders;
    expect(await asHost('a.example', '/grupper/fyld-199')).toContain('at a.example');
    expect(renders).toBe(full);
    await asHost('a.example');
    expect(renders).toBe(full + 1);
  });

  it('stops serving what it kept when the data version moves, when it is unknown, and after a minute', async () => {
    await fetch(`${base}/en/grupper/pigegruppen`);
    let before = renders;
    await fetch(`${base}/en/grupper/pigegruppen`);
    expect(renders).toBe(before);

    body = 'BEGIN:VCALENDAR v2';
    version = '2';
    expect(await (await fetch(`${base}/en/grupper/pigegruppen`)).text()).toContain('v2');
    expect(renders).toBe(before + 1);

    version = null;
    before = renders;
    await fetch(`${base}/en/grupper/pigegruppen`);
    await fetch(`${base}/en/grupper/pigegruppen`);
    expect(renders).toBe(before + 2);

    version = '2';
    await fetch(`${base}/en/grupper/pigegruppen`);
    before = renders;
    clock += 61_000;
    await fetch(`${base}/en/grupper/pigegruppen`);
    expect(renders).toBe(before + 1);
  });

  it('a calendar that only ever asks "changed?" is answered from memory again once the minute is over', async () => {
    const url = `${base}/grupper/kun-spoerg.ics`;
    const first = await fetch(url);
    const firstBody = await first.text();
    const etag = first.headers.get('etag') ?? '';
    clock += 61_000;
    const before = renders;
    // Nothing valid is kept: rendered whole once (the condition taken off), kept, and the condition answered here.
    const asked = await fetch(url, { headers: { 'if-none-match': etag, 'if-modified-since': new Date().toUTCString() } });
    expect(asked.status).toBe(304);
    expect(await asked.text()).toBe('');
    expect(asked.headers.get('etag')).toBe(etag);
    // The stand-in gives each render its number as the request id.
    expect(asked.headers.get('x-request-id')).toBe(String(before + 1));
    expect(renders).toBe(before + 1);
    const again = await fetch(url, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(renders).toBe(before + 1);
    // A calendar holding an older tag gets the whole answer, the same bytes as everyone.
    clock += 61_000;
    const older = await fetch(url, { headers: { 'if-none-match': '"older"' } });
    expect(older.status).toBe(200);
    expect(await older.text()).toBe(firstBody);
    expect(older.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(renders).toBe(before + 2);
  });
});
