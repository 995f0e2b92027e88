// exp-harness.ts
import { openSync, writeSync } from "node:fs";
import { pino } from "pino";

// src/lib/http-security.ts
import { BlockList, isIP } from "node:net";
var POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "object-src 'none'"
];
var CONTENT_SECURITY_POLICY = POLICY.join("; ");
function parseTrustProxy(value) {
  const trusted = new BlockList();
  for (const raw of (value ?? "").split(",")) {
    const item = raw.trim().toLowerCase();
    if (item === "" || item === "0" || item === "false") continue;
    if (item === "1" || item === "true" || item === "loopback") {
      trusted.addSubnet("127.0.0.0", 8, "ipv4");
      trusted.addAddress("::1", "ipv6");
      continue;
    }
    const [address = "", prefix] = item.split("/");
    const family = isIP(address);
    if (family === 0) throw new Error(`TRUST_PROXY: "${raw.trim()}" is not an address or a CIDR range.`);
    const type = family === 4 ? "ipv4" : "ipv6";
    if (prefix === void 0) {
      trusted.addAddress(address, type);
      continue;
    }
    const bits = Number(prefix);
    if (!Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) {
      throw new Error(`TRUST_PROXY: "${raw.trim()}" has no valid prefix length.`);
    }
    trusted.addSubnet(address, bits, type);
  }
  return trusted;
}
function plainAddress(address) {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}
function isTrustedProxy(trusted, address) {
  if (!address) return false;
  const plain = plainAddress(address);
  const family = isIP(plain);
  if (family === 0) return false;
  return trusted.check(plain, family === 4 ? "ipv4" : "ipv6");
}
function clientIp(socketAddress, forwardedFor, trusted) {
  const socket = socketAddress ? plainAddress(socketAddress) : null;
  if (socket && forwardedFor && isTrustedProxy(trusted, socket)) {
    const hops = forwardedFor.split(",").map((part) => part.trim()).filter(Boolean);
    for (let i = hops.length - 1; i >= 0; i -= 1) {
      const hop = hops[i] ?? "";
      if (i === 0 || !isTrustedProxy(trusted, hop)) return isIP(plainAddress(hop)) ? plainAddress(hop).slice(0, 64) : socket.slice(0, 64);
    }
  }
  return socket ? socket.slice(0, 64) : null;
}
function reachedOverHttps(socketAddress, forwardedProto, trusted) {
  if (!forwardedProto || !isTrustedProxy(trusted, socketAddress)) return false;
  return forwardedProto.split(",")[0]?.trim().toLowerCase() === "https";
}

// src/server/http-server.ts
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import sirv from "sirv";

// src/server/request-log.ts
var stampedAt = Number.NEGATIVE_INFINITY;
var stamp = "";
function isoTime() {
  const now = performance.now();
  if (now - stampedAt >= 1) {
    stampedAt = now;
    stamp = `,"time":"${(/* @__PURE__ */ new Date()).toISOString()}"`;
  }
  return stamp;
}
var middles = /* @__PURE__ */ new Map();
function middleOf(method, route, status) {
  let byMethod = middles.get(route);
  if (byMethod === void 0) middles.set(route, byMethod = /* @__PURE__ */ new Map());
  let byStatus = byMethod.get(method);
  if (byStatus === void 0) byMethod.set(method, byStatus = /* @__PURE__ */ new Map());
  let middle = byStatus.get(status);
  if (middle === void 0) byStatus.set(status, middle = `,"method":${JSON.stringify(method)},"route":${JSON.stringify(route)},"status":${status}`);
  return middle;
}
function requestLogLine(facts) {
  const user = facts.userId === null ? "" : `,"userId":${JSON.stringify(facts.userId)}`;
  return `{"level":${facts.status >= 500 ? 50 : 30}${isoTime()},"reqId":"${facts.requestId}"${middleOf(facts.method, facts.route, facts.status)},"ms":${facts.ms}${user},"msg":"request"}
`;
}
function gatherLines(write, bytes = 4096, ms = 250) {
  let lines2 = [];
  let size = 0;
  let timer = null;
  const flush = () => {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    if (lines2.length === 0) return;
    const chunk = lines2.join("");
    lines2 = [];
    size = 0;
    write(chunk);
  };
  return {
    line(text) {
      lines2.push(text);
      size += text.length;
      if (size >= bytes) flush();
      else if (timer === null) timer = setTimeout(flush, ms).unref();
    },
    urgent(text) {
      lines2.push(text);
      flush();
    },
    flush
  };
}

// src/server/http-server.ts
var FORM_BODY_LIMIT = 64 * 1024;
var JSON_BODY_LIMIT = 256 * 1024;
function bodyLimitFor(pathname) {
  return pathname.endsWith(".json") ? JSON_BODY_LIMIT : FORM_BODY_LIMIT;
}
function refuse(res, status, text) {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text, () => {
    const socket = res.socket;
    if (!socket) return;
    socket.end();
    setTimeout(() => socket.destroy(), 1e3).unref();
  });
}
function notFound(res) {
  res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
  res.end("Siden findes ikke.\n");
}
var FORWARDED = ["x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "forwarded"];
var TRUSTED = /* @__PURE__ */ Symbol("from a trusted proxy");
var KEPT_FEED = "/grupper/[slug].ics (kept)";
var KEPT_PAGE = "/grupper/[slug] (kept)";
function createAppServer(options) {
  const { handler, logger: logger2, trustedProxies } = options;
  const assets = sirv(options.clientDir, {
    dev: false,
    etag: true,
    gzip: false,
    brotli: false,
    setHeaders(res, pathname) {
      if (pathname.startsWith("/_astro/")) res.setHeader("Cache-Control", "public, max-age=31536000, immutable");
      else res.setHeader("Cache-Control", "public, max-age=3600");
      res.setHeader("X-Content-Type-Options", "nosniff");
    }
  });
  let inFlight = 0;
  let stopping = false;
  let drained = null;
  function finished(route, method, status, started, requestId, userId) {
    const seconds = (performance.now() - started) / 1e3;
    options.requestLog(requestLogLine({ requestId, method, route, status, ms: Math.round(seconds * 1e4) / 10, userId }));
    options.metrics?.observe(route, method, status, seconds);
  }
  function fromTrustedProxy(req) {
    const socket = req.socket;
    let trusted = socket[TRUSTED];
    if (trusted === void 0) {
      trusted = isTrustedProxy(trustedProxies, socket.remoteAddress ?? null);
      socket[TRUSTED] = trusted;
    }
    return trusted;
  }
  function httpsOf(req) {
    const forwardedProto = req.headers["x-forwarded-proto"];
    return typeof forwardedProto === "string" && fromTrustedProxy(req) && reachedOverHttps(req.socket.remoteAddress ?? null, forwardedProto, trustedProxies);
  }
  async function serve(req, res, locals) {
    const socketAddress = req.socket.remoteAddress ?? null;
    const fromProxy = fromTrustedProxy(req);
    const forwardedFor = typeof req.headers["x-forwarded-for"] === "string" ? req.headers["x-forwarded-for"] : null;
    locals.ip = clientIp(socketAddress, forwardedFor, trustedProxies);
    const https = fromProxy && httpsOf(req);
    if (fromProxy) {
      req.socket.encrypted = https;
    } else {
      for (const name of FORWARDED) if (req.headers[name] !== void 0) delete req.headers[name];
    }
    const fast = options.fastPath?.eligible(req) ? options.fastPath : void 0;
    res.setHeader("x-request-id", locals.edge.requestId);
    const pathname = (req.url ?? "/").split("?")[0] ?? "/";
    const method = req.method ?? "GET";
    if (stopping) res.setHeader("connection", "close");
    if (method !== "GET" && method !== "HEAD") {
      const length = req.headers["content-length"];
      if (length === void 0 && req.headers["transfer-encoding"] !== void 0) {
        locals.edge.route = "refused";
        return refuse(res, 411, "Send en Content-Length.\n");
      }
      if (length !== void 0 && Number(length) > bodyLimitFor(pathname)) {
        locals.edge.route = "refused";
        return refuse(res, 413, "For meget data.\n");
      }
    }
    if (pathname === "/_image" || pathname.startsWith("/_image/")) {
      locals.edge.route = "/_image";
      return notFound(res);
    }
    if (options.metrics && pathname === "/metrics") {
      locals.edge.route = "/metrics";
      if (await options.metrics.serve(req, res)) return;
      locals.edge.route = null;
    }
    if (method === "GET" || method === "HEAD") {
      const served = await new Promise((done) => {
        assets(req, res, () => done(false));
        if (res.headersSent || res.writableEnded) done(true);
        else res.once("finish", () => done(true));
      });
      if (served) {
        locals.edge.route = pathname.startsWith("/_astro/") ? "/_astro/*" : "static";
        return;
      }
    }
    fast?.capture(req, res, https);
    await handler(req, res, () => notFound(res), locals);
  }
  function answerFromMemory(req, res, started, requestId) {
    const fast = options.fastPath;
    if (fast === void 0 || stopping || !fast.serve(req, res, httpsOf(req), requestId)) return false;
    finished((req.url ?? "").endsWith(".ics") ? KEPT_FEED : KEPT_PAGE, req.method ?? "GET", res.statusCode, started, requestId, null);
    return true;
  }
  const server = createServer({ keepAliveTimeout: 5e3, requestTimeout: 3e4 }, (req, res) => {
    const started = performance.now();
    const requestId = randomUUID();
    if (answerFromMemory(req, res, started, requestId)) return;
    const locals = { ip: null, edge: { requestId, route: null, userId: null } };
    inFlight += 1;
    let counted = true;
    const done = () => {
      if (!counted) return;
      counted = false;
      inFlight -= 1;
      finished(locals.edge.route ?? "unmatched", req.method ?? "GET", res.statusCode, started, locals.edge.requestId, locals.edge.userId);
      if (stopping && inFlight === 0) drained?.();
    };
    res.once("finish", done);
    res.once("close", done);
    serve(req, res, locals).catch((error) => {
      logger2.error({ reqId: locals.edge.requestId, err: error }, "request failed");
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end("Der skete en fejl.\n");
      } else {
        res.destroy();
      }
    });
  });
  async function stop() {
    stopping = true;
    const closed = new Promise((done) => server.close(() => done()));
    server.closeIdleConnections();
    if (inFlight > 0) await new Promise((done) => drained = done);
    server.closeIdleConnections();
    await options.onDrained?.();
    await closed;
  }
  return { server, stop };
}

// src/server/metrics.ts
import { timingSafeEqual } from "node:crypto";
import { Gauge, Registry, collectDefaultMetrics } from "prom-client";
function sameSecret(given, expected) {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
var DURATION_BUCKETS = [1e-3, 25e-4, 5e-3, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
function labelValue(value) {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
function createRequestTallies() {
  const durations = /* @__PURE__ */ new Map();
  const counts = /* @__PURE__ */ new Map();
  return {
    observe(route, method, status, seconds) {
      let durationsOfRoute = durations.get(route);
      if (durationsOfRoute === void 0) durations.set(route, durationsOfRoute = /* @__PURE__ */ new Map());
      let duration = durationsOfRoute.get(method);
      if (duration === void 0) {
        duration = { route, method, counts: new Array(DURATION_BUCKETS.length + 1).fill(0), sum: 0 };
        durationsOfRoute.set(method, duration);
      }
      let bucket = 0;
      while (bucket < DURATION_BUCKETS.length && seconds > (DURATION_BUCKETS[bucket] ?? Infinity)) bucket += 1;
      duration.counts[bucket] = (duration.counts[bucket] ?? 0) + 1;
      duration.sum += seconds;
      let countsOfRoute = counts.get(route);
      if (countsOfRoute === void 0) counts.set(route, countsOfRoute = /* @__PURE__ */ new Map());
      let countsOfMethod = countsOfRoute.get(method);
      if (countsOfMethod === void 0) countsOfRoute.set(method, countsOfMethod = /* @__PURE__ */ new Map());
      let count = countsOfMethod.get(status);
      if (count === void 0) {
        count = { route, method, status: String(status), count: 0 };
        countsOfMethod.set(status, count);
      }
      count.count += 1;
    },
    render() {
      const lines2 = [
        "# HELP http_requests_total Requests answered, by route pattern, method and status.",
        "# TYPE http_requests_total counter"
      ];
      for (const c of [...counts.values()].flatMap((byMethod) => [...byMethod.values()].flatMap((byStatus) => [...byStatus.values()]))) {
        lines2.push(`http_requests_total{route="${labelValue(c.route)}",method="${labelValue(c.method)}",status="${c.status}"} ${c.count}`);
      }
      lines2.push(
        "# HELP http_request_duration_seconds Time from the request to the last byte of the answer, by route pattern.",
        "# TYPE http_request_duration_seconds histogram"
      );
      for (const d of [...durations.values()].flatMap((byMethod) => [...byMethod.values()])) {
        const labels = `route="${labelValue(d.route)}",method="${labelValue(d.method)}"`;
        let cumulative = 0;
        DURATION_BUCKETS.forEach((bound, i) => {
          cumulative += d.counts[i] ?? 0;
          lines2.push(`http_request_duration_seconds_bucket{le="${bound}",${labels}} ${cumulative}`);
        });
        cumulative += d.counts[DURATION_BUCKETS.length] ?? 0;
        lines2.push(`http_request_duration_seconds_bucket{le="+Inf",${labels}} ${cumulative}`);
        lines2.push(`http_request_duration_seconds_sum{${labels}} ${d.sum}`);
        lines2.push(`http_request_duration_seconds_count{${labels}} ${cumulative}`);
      }
      return `${lines2.join("\n")}
`;
    }
  };
}
function createMetrics(token, pool) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const tallies = createRequestTallies();
  for (const [name, help, pick] of [
    ["db_pool_connections", "Connections the database pool holds (PostgreSQL).", (s) => s.total],
    ["db_pool_idle_connections", "Idle connections in the database pool (PostgreSQL).", (s) => s.idle],
    ["db_pool_waiting_queries", "Queries waiting for a connection (PostgreSQL).", (s) => s.waiting]
  ]) {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const stats = pool();
        if (stats) this.set(pick(stats));
      }
    });
  }
  return {
    observe: tallies.observe,
    async serve(req, res) {
      if ((req.url ?? "").split("?")[0] !== "/metrics") return false;
      const auth = req.headers.authorization ?? "";
      if (!token || req.method !== "GET" || !sameSecret(auth, `Bearer ${token}`)) {
        res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
        res.end("Siden findes ikke.\n");
        return true;
      }
      const body2 = `${tallies.render()}${await registry.metrics()}`;
      res.writeHead(200, { "content-type": registry.contentType, "cache-control": "no-store" });
      res.end(body2);
      return true;
    }
  };
}

// src/server/public-fast-path.ts
var PUBLIC_FAST_PATH = /^\/(?:en\/)?grupper\/[a-z0-9-]{1,80}(?:\.ics)?$/;
var HOLD_MS = 6e4;
var MAX_ENTRIES = 200;
var MAX_BODY = 1024 * 1024;
var PER_REQUEST = /* @__PURE__ */ new Set(["x-request-id", "date", "connection", "keep-alive", "transfer-encoding"]);
var BODY_ONLY = /* @__PURE__ */ new Set(["content-length", "content-disposition"]);
function flat(headers2, keep) {
  const list = [];
  for (const [name, value] of Object.entries(headers2)) {
    if (value === void 0 || !keep(name)) continue;
    for (const one of Array.isArray(value) ? value : [value]) list.push(name, String(one));
  }
  list.push("x-request-id", "");
  return list;
}
function withRequestId(kept, requestId) {
  kept[kept.length - 1] = requestId;
  return kept;
}
function etagMatches(ifNoneMatch, etag) {
  if (ifNoneMatch === etag) return true;
  const opaque = (tag) => tag.trim().replace(/^W\//, "");
  if (ifNoneMatch.trim() === "*") return true;
  return ifNoneMatch.split(",").some((tag) => opaque(tag) === opaque(etag));
}
function answersNotModified(entry, ifNoneMatch) {
  return ifNoneMatch !== void 0 && entry.etag !== null && etagMatches(ifNoneMatch, entry.etag);
}
function createFastPath(currentVersion, now = () => performance.now()) {
  const kept = /* @__PURE__ */ new Map();
  let keptCount = 0;
  const find = (url, https, host) => {
    const variants = kept.get(url);
    if (variants === void 0) return void 0;
    for (const entry of variants) if (entry.https === https && entry.host === host) return entry;
    return void 0;
  };
  const forget = (url, entry) => {
    const variants = kept.get(url);
    const at = variants?.indexOf(entry) ?? -1;
    if (variants === void 0 || at < 0) return;
    variants.splice(at, 1);
    keptCount -= 1;
    if (variants.length === 0) kept.delete(url);
  };
  const remember = (url, entry) => {
    const old = find(url, entry.https, entry.host);
    if (old !== void 0) forget(url, old);
    while (keptCount >= MAX_ENTRIES) {
      const oldest = kept.entries().next().value;
      if (oldest === void 0) break;
      kept.delete(oldest[0]);
      keptCount -= oldest[1].length;
    }
    const variants = kept.get(url);
    if (variants === void 0) kept.set(url, [entry]);
    else variants.push(entry);
    keptCount += 1;
  };
  return {
    eligible(req) {
      if (req.method !== "GET" && req.method !== "HEAD") return false;
      if (req.headers.cookie !== void 0 || req.headers.authorization !== void 0) return false;
      const url = req.url ?? "";
      return !url.includes("?") && PUBLIC_FAST_PATH.test(url);
    },
    serve(req, res, https, requestId) {
      const method = req.method;
      if (method !== "GET" && method !== "HEAD") return false;
      const headers2 = req.headers;
      if (headers2.cookie !== void 0 || headers2.authorization !== void 0) return false;
      const url = req.url ?? "";
      const entry = find(url, https, headers2.host ?? "");
      if (entry === void 0) return false;
      const version = currentVersion();
      if (version === null || entry.version !== version || now() >= entry.until) {
        forget(url, entry);
        return false;
      }
      const ifNoneMatch = headers2["if-none-match"];
      if (headers2["if-modified-since"] !== void 0 && ifNoneMatch === void 0) return false;
      if (answersNotModified(entry, ifNoneMatch)) {
        res.writeHead(304, withRequestId(entry.notModified, requestId));
        res.end();
        return true;
      }
      res.writeHead(entry.status, withRequestId(entry.headers, requestId));
      res.end(method === "HEAD" ? void 0 : entry.body);
      return true;
    },
    capture(req, res, https) {
      const version = currentVersion();
      if (version === null || req.method !== "GET") return;
      const ifNoneMatch = req.headers["if-none-match"];
      if (req.headers["if-modified-since"] !== void 0 && ifNoneMatch === void 0) return;
      const conditional = ifNoneMatch !== void 0;
      if (conditional) {
        delete req.headers["if-none-match"];
        delete req.headers["if-modified-since"];
      }
      const chunks = [];
      let size = 0;
      const given = {};
      const writeHead = res.writeHead.bind(res);
      const write = res.write.bind(res);
      const end = res.end.bind(res);
      let head = null;
      res.writeHead = ((status, ...rest) => {
        const headers2 = rest.find((arg) => typeof arg === "object" && arg !== null);
        if (headers2 && !Array.isArray(headers2)) {
          for (const [name, value] of Object.entries(headers2)) given[name.toLowerCase()] = value;
        }
        if (!conditional) return writeHead(status, ...rest);
        res.statusCode = status;
        head = [status, ...rest];
        return res;
      });
      const collect = (chunk) => {
        if (chunk === void 0 || chunk === null || typeof chunk === "function" || size > MAX_BODY && !conditional) return;
        const buffer = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk);
        size += buffer.length;
        chunks.push(buffer);
      };
      const keep = () => {
        if (res.statusCode !== 200 || size > MAX_BODY || res.getHeader("set-cookie") !== void 0) return null;
        const headers2 = {};
        for (const [name, value] of Object.entries({ ...given, ...res.getHeaders() })) if (!PER_REQUEST.has(name)) headers2[name] = value;
        if (headers2["set-cookie"] !== void 0) return null;
        const body2 = Buffer.concat(chunks);
        headers2["content-length"] = String(body2.length);
        const etag = typeof headers2["etag"] === "string" ? headers2["etag"] : null;
        const entry = {
          https,
          host: req.headers.host ?? "",
          version,
          until: now() + HOLD_MS,
          status: 200,
          headers: flat(headers2, () => true),
          notModified: flat(headers2, (name) => !BODY_ONLY.has(name)),
          etag,
          body: body2
        };
        remember(req.url ?? "", entry);
        return entry;
      };
      res.write = ((chunk, ...rest) => {
        collect(chunk);
        if (!conditional) return write(chunk, ...rest);
        const done = rest.find((arg) => typeof arg === "function");
        if (done) process.nextTick(done);
        return true;
      });
      res.end = ((chunk, ...rest) => {
        collect(chunk);
        if (!conditional) return end(chunk, ...rest);
        const entry = keep();
        if (entry !== null && answersNotModified(entry, ifNoneMatch)) {
          const requestId = res.getHeader("x-request-id") ?? given["x-request-id"];
          res.removeHeader("content-length");
          writeHead(304, withRequestId(entry.notModified, requestId === void 0 ? "" : String(requestId)));
          return end(...rest.filter((arg) => typeof arg === "function"));
        }
        if (head !== null) writeHead(...head);
        for (const buffer of chunks) write(buffer);
        return end(...rest.filter((arg) => typeof arg === "function"));
      });
      if (!conditional) res.once("finish", () => void keep());
    }
  };
}

// exp-harness.ts
var off = new Set((process.env["OFF"] ?? "").split(",").filter(Boolean));
var fd = openSync("/tmp/exp/harness.log", "a");
var lines = gatherLines((chunk) => writeSync(fd, chunk), 64 * 1024);
var logger = pino({ base: null });
var body = Buffer.from("BEGIN:VCALENDAR\r\n".repeat(200));
var headers = {
  "cache-control": "public, max-age=0, must-revalidate",
  "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
  "content-type": "text/calendar; charset=utf-8",
  etag: '"abc"',
  "last-modified": "Tue, 01 Dec 2026 03:24:18 GMT",
  "permissions-policy": "camera=(), microphone=(), geolocation=()",
  "referrer-policy": "strict-origin-when-cross-origin",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "content-length": String(body.length)
};
var app = createAppServer({
  handler: async (_req, res) => {
    res.writeHead(200, headers);
    res.end(body);
  },
  clientDir: "/tmp/exp/empty",
  trustedProxies: parseTrustProxy(void 0),
  logger,
  requestLog: off.has("log") ? () => void 0 : (line) => lines.line(line),
  ...off.has("metrics") ? {} : off.has("observe") ? { metrics: { ...createMetrics(void 0, () => null), observe: () => void 0 } } : off.has("defaults") ? { metrics: { observe: createRequestTallies().observe, serve: async () => false } } : { metrics: createMetrics(void 0, () => null) },
  fastPath: createFastPath(() => "1")
});
app.server.listen(Number(process.env["PORT"]), "127.0.0.1");
