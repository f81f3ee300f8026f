/**
 * switchboard.js: a small browser client for Switchboard servers (ES module, no dependencies).
 *
 * Wire envelope (v1, see docs/protocol.md). One message is one WebSocket text message holding one
 * JSON object:
 *
 *   {"type":"chat.message","data":{"sender":"alice","text":"hi","sentAt":"2026-11-24T10:00:00+00:00"}}
 *
 *   type  non-empty string, the message name; required.
 *   data  the payload (a JSON value; camelCase members); `{}` when a message has no fields.
 *   id    present on requests and their replies only: the client's correlation id (see "Requests").
 *
 * Writers put "type" first; readers accept the members in any order. Anything else (binary data,
 * invalid JSON, a non-object, a missing or empty "type") is malformed and goes to `onError`.
 *
 * Usage:
 *
 *   import { SwitchboardClient } from './switchboard.js';
 *   const client = new SwitchboardClient('wss://example.org/ws/alice', { maxQueued: 50 });
 *   const off = client.on('chat.message', (data, envelope) => show(data));
 *   client.onState((state, detail) => render(state));   // connecting | open | reconnecting | closed
 *   client.onError((error) => console.warn(error.kind, error.message));
 *   client.send('chat.send', { text: 'hi' });
 *   const reply = await client.request('chat.history', { before: 120 }, { timeout: 5_000 });
 *   client.close();
 *
 * The client connects on the next microtask after construction, so handlers registered right after
 * `new` see every state and message. When the connection drops it reconnects with exponential
 * backoff and full jitter: before attempt n (0-based) it waits random() * min(maxDelayMs,
 * initialDelayMs * 2^n). After the server closed with 1013 (Try Again Later: the client went over a
 * rate limit, or did not read what was sent to it) every wait until a connection opens is
 * tryAgainLaterMs longer, and its jitter grows from max(tryAgainLaterMs, initialDelayMs) instead, so
 * the first retry comes after 5 to 10 seconds by default and clients closed together come back
 * spread apart. The attempt counter resets once a connection opens. It does not reconnect
 * after `close()`, after `maxAttempts` failed attempts in a row (`maxConnectAttempts` attempts
 * before the first connection ever opened), when `shouldReconnect(code, reason)` says no for the
 * server's close code, or after a refusal. A refusal is final: the server answered the opening
 * request with HTTP 401, 403 or 404, or closed the connection with 1008 or 4000-4999 (a name
 * already taken, say); the "closed" state's detail then has `refused: true`, the HTTP `status`
 * when there was one, and the server's `reason`. The rules are the .NET client's too
 * (docs/protocol.md, "Reconnecting"). Sends made while not open are queued (up to
 * `maxQueued`) and flushed in order, before the "open" state is reported, once a connection opens.
 * Delivery is at most once: a message handed to a socket that is already dying may be lost.
 *
 * Recovery (docs/protocol.md, "History and recovery"): a message sent to a group that keeps
 * history carries `group` and `offset` (the handler's `envelope` has them), and joining such a
 * group starts with a switchboard.joined notice, which goes to `onJoined(handler)` handlers before
 * the replayed messages. The client keeps a position { epoch, offset } per group: a notice sets the
 * epoch, and the offset too unless it says `recovered: true`; a delivered message of the group sets
 * the offset. Every reconnect presents every position held as `recover=EPOCH:OFFSET:GROUP` query
 * parameters (on the WebSocket URL, or the long-polling open), so the server replays what was
 * missed. `client.positions()` returns them; `options.positions` seeds them (then they are
 * presented on the first connection too); `options.recover = false` never presents any. Other
 * `switchboard.` notices are reserved for the server and ignored.
 *
 * Transports: each connection attempt creates one transport object through a factory
 * `(url, options) => transport` with this contract:
 *
 *   transport.name                 optional; "websocket" or "longpolling" for the built-in ones
 *   transport.open()               start connecting
 *   transport.send(text)           send one envelope; called only between onopen and onclose
 *   transport.close(code, reason)  start closing; onclose still follows
 *   transport.onopen()             set by the client; the transport is ready to send
 *   transport.onmessage(payload)   set by the client; one envelope (a string; anything else is malformed)
 *   transport.onclose({code, reason, status})  set by the client; called exactly once, also when
 *                                  opening fails; `status` is the HTTP status of a refused open
 *                                  (401, 403 and 404 end the client for good)
 *
 * `options.transport` picks a built-in transport:
 *
 *   "auto"         (the default) WebSocket first. When the WebSocket closes without ever opening (a
 *                  proxy refused the upgrade, say; a browser does not tell why), the same attempt
 *                  goes on over long polling, whose open answers a refusal with its status and
 *                  reason (so a 401, 403 or 404 is final, as it would be over WebSocket), and
 *                  once long polling has opened where WebSocket did not, later attempts of this
 *                  client use long polling straight away. Without any WebSocket implementation it
 *                  uses long polling.
 *   "websocket"    WebSocket only (`options.WebSocket`, default globalThis.WebSocket).
 *   "longpolling"  HTTP long polling only ("longpoll" is the same); see longPollingTransport.
 *
 * An unknown name warns and uses "auto". `options.createTransport` plugs in a custom factory.
 * `client.transport` (and the detail of the "open" state) names the transport in use.
 */

/*
 * Requests (the request/response wire format of docs/protocol.md): `request(type, data, { timeout, signal })`
 * sends `{"type","data","id"}` with an id of its own ("r1", "r2", ... unique per client) and
 * settles on the server's reply with the same id. A reply of any type but switchboard.failure
 * resolves to `{ type, data }`: a typed error is a reply too, and the caller tells it by its type.
 * A switchboard.failure rejects with a SwitchboardRequestError of the failure's `code`
 * (handler_failed, too_many_requests, no_handler, invalid_request); so do the client's own ends:
 * `timeout` (after `timeout` ms, default `requestTimeoutMs`), `aborted` (the signal fired),
 * `disconnected` (the connection carrying the request was lost before the reply, or the client
 * closed; a request made while disconnected is queued like a send and goes out when a connection
 * opens). A message with an id that matches no request in flight (a reply that came too late) is
 * ignored.
 */

/** The states reported by `onState`. */
export const ConnectionState = Object.freeze({
  Connecting: 'connecting',
  Open: 'open',
  Reconnecting: 'reconnecting',
  Closed: 'closed',
});

/**
 * The default `shouldReconnect`: true for a close code worth retrying. It says no to 1000 (the
 * server ended the session on purpose), 1002 (protocol error), 1003 (unsupported data), 1007
 * (invalid payload), 1008 (policy violation), 1010 (missing extension) and 4000-4999 (application
 * refusals, such as a name already in use); yes to everything else, including 1001 (going away),
 * 1006 (dropped, or the connection could not be made), 1011-1014 (server trouble; 1013, try again
 * later, waits `tryAgainLaterMs` first).
 */
export function isRetryableClose(code) {
  if ([1000, 1002, 1003, 1007, 1008, 1010].includes(code)) return false;
  return !(code >= 4000 && code <= 4999);
}

/** Whether a transport's end is a refusal, which is final: HTTP 401, 403 or 404 on opening, or a close with 1008 or 4000-4999. */
export function isRefusal({ code, status } = {}) {
  if (status === 401 || status === 403 || status === 404) return true;
  return code === 1008 || (code >= 4000 && code <= 4999);
}

/** What `onError` handlers receive; `kind` is "malformed", "unknown-type", "handler" or "transport". */
export class SwitchboardError extends Error {
  constructor(kind, message, details = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'SwitchboardError';
    this.kind = kind;
    this.type = details.type;
    this.data = details.data;
    this.raw = details.raw;
  }
}

/**
 * What a request() rejects with. `code` is the switchboard.failure's code ("handler_failed",
 * "too_many_requests", "no_handler", "invalid_request", or another a newer server sends) or the
 * client's own: "timeout", "aborted", "disconnected". `type` and `data` are the reply's (for a
 * failure: "switchboard.failure" and its { code, message }); `request` is the type requested.
 */
export class SwitchboardRequestError extends Error {
  constructor(code, message, details = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'SwitchboardRequestError';
    this.code = code;
    this.request = details.request;
    this.type = details.type;
    this.data = details.data;
  }
}

/** The type of the built-in failure reply. */
const FAILURE = 'switchboard.failure';

export const DEFAULT_OPTIONS = Object.freeze({
  initialDelayMs: 500,         // backoff cap of the first reconnect attempt
  maxDelayMs: 30_000,          // upper bound of any backoff cap
  tryAgainLaterMs: 5_000,      // least wait before coming back after a 1013 close
  maxAttempts: Infinity,       // failed reconnect attempts in a row before giving up
  maxConnectAttempts: 3,       // attempts before the first connection opens; then closed
  maxQueued: 100,              // sends kept while not connected; one more throws
  queueWhileDisconnected: true, // false: send() throws at once while not connected
  requestTimeoutMs: 30_000,    // how long request() waits for its reply by default
  shouldReconnect: isRetryableClose, // (code, reason) => boolean, asked when the server closes
  transport: 'auto',           // built-in transport: "auto", "websocket" or "longpolling"
  createTransport: undefined,  // custom transport factory (url, options) => transport
  WebSocket: undefined,        // WebSocket constructor; defaults to globalThis.WebSocket
  fetch: undefined,            // fetch function for long polling; defaults to globalThis.fetch
  credentials: 'same-origin',  // every long-polling fetch's credentials mode: "omit", "same-origin" or "include"
  recover: true,               // reconnects present the positions (`recover` parameters); false: never
  positions: undefined,        // positions to start from: { group: { epoch, offset } } (or a Map), as positions() gave
  random: Math.random,         // jitter source, a function returning [0, 1)
  setTimeout: undefined,       // (callback, ms) => id that starts the wait before a reconnect; defaults to globalThis.setTimeout
  clearTimeout: undefined,     // (id) => cancels that wait; defaults to globalThis.clearTimeout
});

/** The WebSocket transport: a thin adapter over the browser's (or an injected) WebSocket. */
export function webSocketTransport(url, options = {}) {
  const WebSocketImpl = options.WebSocket ?? globalThis.WebSocket;
  if (typeof WebSocketImpl !== 'function') {
    throw new Error('Switchboard: no WebSocket implementation; pass options.WebSocket');
  }
  let socket = null;
  let finished = false;
  const finish = (code, reason) => {
    if (finished) return;
    finished = true;
    transport.onclose({ code, reason });
  };
  const transport = {
    name: 'websocket',
    onopen() {},
    onmessage() {},
    onclose() {},
    open() {
      socket = new WebSocketImpl(url);
      socket.onopen = () => transport.onopen();
      socket.onmessage = (event) => transport.onmessage(event.data);
      socket.onerror = () => {}; // always followed by a close event, which carries the details
      socket.onclose = (event) => finish(event.code, event.reason);
    },
    send(text) {
      socket.send(text);
    },
    close(code, reason) {
      socket?.close(code, reason);
    },
  };
  return transport;
}

/**
 * How long a long-polling request other than the poll may take before it counts as failed; also
 * how long close() may spend delivering the sends already made and leaving the session.
 */
const REQUEST_TIMEOUT_MS = 15_000;
/** Added to the server's hold time to bound a poll: a poll that outlives both is presumed lost. */
const POLL_GRACE_MS = 10_000;
/** Failed polls or sends in a row (network errors, 5xx, timeouts) retried before giving up. */
const MAX_RETRIES = 4;
/** Before retry n (1-based): RETRY_DELAY_MS * 2^(n-1). */
const RETRY_DELAY_MS = 250;
/**
 * Characters of envelopes in one send POST. A character is at most 3 bytes of UTF-8, so a body
 * stays well under the server's 1 MiB `MaxRequestBodySize`; a single larger envelope goes alone.
 */
const MAX_BATCH_CHARS = 256 * 1024;
// The server takes at most this many envelopes in one send by default (LongPollingOptions.MaxEnvelopesPerSend).
const MAX_BATCH_ENVELOPES = 100;

/** Node: a timeout that alone does not keep the process alive (the request it guards does). */
const unref = (timer) => {
  timer?.unref?.();
  return timer;
};

/** The http:// or https:// URL of a ws://, wss://, http:// or https:// endpoint URL. */
export function httpUrl(url) {
  const u = new URL(url);
  if (u.protocol === 'ws:') u.protocol = 'http:';
  else if (u.protocol === 'wss:') u.protocol = 'https:';
  else if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new SyntaxError(`Switchboard: cannot long-poll a ${u.protocol} URL`);
  }
  u.hash = '';
  return u;
}

/** The fetch credentials modes `options.credentials` may name. */
const CREDENTIALS_MODES = ['omit', 'same-origin', 'include'];

/** `options.credentials`, checked: one of CREDENTIALS_MODES, "same-origin" when unset. */
function credentialsMode(value) {
  if (value === undefined) return 'same-origin';
  if (!CREDENTIALS_MODES.includes(value)) {
    throw new RangeError(`Switchboard: options.credentials must be "omit", "same-origin" or "include", not ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * The long-polling transport (docs/protocol.md, "Long polling"), over `options.fetch` (default
 * globalThis.fetch). At the endpoint's path P (ws:// becomes http://, wss:// https://):
 *
 *   open    POST P?transport=longpolling (with the URL's `recover` parameters, which the other
 *           requests leave out) -> 200 {"session","holdMs"}; 401, 403 or 404 {"error"}
 *           -> onclose({code: 1008, reason: error, status}), a refusal; anything else -> onclose(1006)
 *   receive GET P?session=id&ack=N in a loop, N the last sequence number seen; a 200
 *           {"seq","messages",["close"]} delivers the messages not seen yet (a retried answer can
 *           repeat some) and then the close, if any, as onclose({code, reason}); a 204 polls again
 *   send    POST P?session=id&seq=N with a JSON array of envelopes, numbered from 1; one POST at a
 *           time, and what is sent while one is in flight goes in the next; a failed POST is sent
 *           again with the same seq (the server skips what it already took)
 *   close   the sends already made are delivered first, then DELETE P?session=id (also when
 *           the page goes away: "pagehide")
 *
 * Every request goes with `options.credentials` as its credentials mode ("same-origin" when unset):
 * a page of another origin sends its cookies or HTTP authentication to an endpoint with
 * `EndpointOptions.AllowCredentials` only with "include"; "omit" sends them to no one.
 *
 * A 404 (the session is gone) ends the transport with 1006, so the client reconnects with a new
 * session. Network errors, 5xx answers and timeouts are retried MAX_RETRIES times with a growing
 * delay, then end it with 1006 too. A 409 on a send (the server lost track of the numbering) ends
 * it with 1006; a 413 (a body too large) with 1009; a 400 drops that batch with a console warning.
 */
export function longPollingTransport(url, options = {}) {
  const doFetch = options.fetch ?? globalThis.fetch;
  if (typeof doFetch !== 'function') {
    throw new Error('Switchboard: no fetch implementation; pass options.fetch');
  }
  const credentials = credentialsMode(options.credentials);
  // The client's `recover` parameters are for the open alone; polls, sends and the DELETE name the session.
  const openBase = httpUrl(url);
  const base = new URL(openBase);
  base.searchParams.delete('recover');
  const endpoint = (params) => {
    const u = new URL(params.transport === undefined ? base : openBase);
    for (const [key, value] of Object.entries(params)) u.searchParams.set(key, String(value));
    return u.href;
  };

  // idle -> opening -> open -> (closing) -> done
  let state = 'idle';
  let closeInfo = null; // what close() asked for
  let session = null;
  let holdMs = 25_000;
  let lastSeen = 0; // the highest server sequence number delivered
  let nextSeq = 1; // the number of the next envelope handed to a POST
  let outbox = []; // envelopes not yet in a POST
  let posting = false;
  let pumpScheduled = false;
  let closeTimer = null;
  const inFlight = new Set(); // AbortControllers of the requests under way
  const sleepers = new Set(); // pending retry delays: { timer, resolve }

  /** One request; resolves to { status, text } or rejects on a network error or timeout. */
  async function request(method, params, { body, timeoutMs = REQUEST_TIMEOUT_MS, poll = false, keepalive = false } = {}) {
    const controller = new AbortController();
    controller.poll = poll;
    inFlight.add(controller);
    const timer = unref(setTimeout(() => controller.abort(), timeoutMs));
    try {
      const init = { method, signal: controller.signal, keepalive, credentials };
      if (body !== undefined) {
        init.body = body;
        init.headers = { 'Content-Type': 'application/json' };
      }
      const response = await doFetch(endpoint(params), init);
      const text = await response.text();
      return { status: response.status, text };
    } finally {
      clearTimeout(timer);
      inFlight.delete(controller);
    }
  }

  /** Waits before a retry; resolves at once when the transport ends. */
  function sleep(ms) {
    return new Promise((resolve) => {
      const sleeper = { resolve, timer: setTimeout(() => { sleepers.delete(sleeper); resolve(); }, ms) };
      sleepers.add(sleeper);
    });
  }

  const retryDelay = (failures) => RETRY_DELAY_MS * 2 ** (failures - 1);

  /** Ends the transport: stops every request and reports the close, once. */
  function finish(code, reason, status) {
    if (state === 'done') return;
    if (closeInfo) ({ code, reason } = closeInfo); // close() was asked for: report what it asked
    state = 'done';
    clearTimeout(closeTimer);
    globalThis.removeEventListener?.('pagehide', onPageHide);
    outbox = [];
    for (const controller of inFlight) controller.abort();
    for (const sleeper of sleepers) {
      clearTimeout(sleeper.timer);
      sleeper.resolve();
    }
    sleepers.clear();
    transport.onclose(status === undefined ? { code, reason } : { code, reason, status });
  }

  /** Ends the transport after a failure; the session, if the server still has it, is ended too. */
  function fail(code, reason, { sessionGone = false } = {}) {
    if (state === 'done') return;
    const id = session;
    finish(code, reason);
    if (id && !sessionGone) request('DELETE', { session: id }, { keepalive: true }).catch(() => {});
  }

  /**
   * A page that goes away closes its WebSockets; a session would linger until the server's idle
   * timeout, so it is left at once (keepalive outlives the page). A page restored from the
   * back-forward cache then finds the session gone (404) and reconnects.
   */
  function onPageHide() {
    if (session && state === 'open') request('DELETE', { session }, { keepalive: true }).catch(() => {});
  }

  /** The end of close(): the session is left with a DELETE, then onclose. */
  async function leave() {
    if (state !== 'closing') return;
    try {
      if (session) await request('DELETE', { session }, { keepalive: true });
    } catch {
      // The server ends an abandoned session after its idle timeout.
    }
    finish(closeInfo.code, closeInfo.reason);
  }

  async function start() {
    let answer;
    try {
      answer = await request('POST', { transport: 'longpolling' });
    } catch (error) {
      finish(1006, `long polling: cannot open a session: ${error?.message ?? error}`);
      return;
    }
    let opened = null;
    if (answer.status === 200) {
      try {
        opened = JSON.parse(answer.text);
      } catch {
        // handled below
      }
    }
    if (typeof opened?.session !== 'string' || opened.session === '') {
      if (answer.status === 401 || answer.status === 403 || answer.status === 404) {
        // A refusal: the server's reason is the "error" of its JSON body.
        let reason = '';
        try {
          const body = JSON.parse(answer.text);
          if (typeof body?.error === 'string') reason = body.error;
        } catch {
          // no reason given
        }
        finish(1008, reason || `HTTP ${answer.status}`, answer.status);
        return;
      }
      finish(1006, `long polling: cannot open a session: HTTP ${answer.status}`);
      return;
    }
    session = opened.session;
    if (Number.isFinite(opened.holdMs) && opened.holdMs > 0) holdMs = opened.holdMs;
    if (state === 'closing') {
      leave();
      return;
    }
    if (state !== 'opening') return;
    state = 'open';
    globalThis.addEventListener?.('pagehide', onPageHide);
    transport.onopen();
    if (state === 'open') poll();
  }

  async function poll() {
    let failures = 0;
    while (state === 'open') {
      let answer = null;
      try {
        answer = await request('GET', { session, ack: lastSeen }, { timeoutMs: holdMs + POLL_GRACE_MS, poll: true });
      } catch {
        // a network error or a timeout: retried below
      }
      if (state !== 'open') return;
      const status = answer?.status ?? 0;
      if (status === 204) {
        failures = 0;
        continue;
      }
      if (status === 200) {
        let batch = null;
        try {
          batch = JSON.parse(answer.text);
        } catch {
          // retried below: the next poll asks for the same messages again
        }
        if (batch !== null && Number.isInteger(batch.seq) && Array.isArray(batch.messages)) {
          failures = 0;
          deliver(batch);
          continue;
        }
      } else if (status === 404) {
        fail(1006, 'long polling: the session has ended', { sessionGone: true });
        return;
      } else if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
        fail(1006, `long polling: poll refused: HTTP ${status}`);
        return;
      }
      failures += 1;
      if (failures > MAX_RETRIES) {
        fail(1006, `long polling: poll failed ${failures} times (last: ${status === 0 ? 'no answer' : `HTTP ${status}`})`);
        return;
      }
      await sleep(retryDelay(failures));
    }
  }

  /** Hands the messages of one poll answer not seen before to onmessage, then the close if any. */
  function deliver({ seq, messages, close }) {
    for (let i = 0; i < messages.length && state === 'open'; i++) {
      const number = seq + i;
      if (number <= lastSeen) continue; // sent again because our ack was lost
      lastSeen = number;
      transport.onmessage(JSON.stringify(messages[i]));
    }
    if (close && (state === 'open' || state === 'closing')) {
      const code = Number.isInteger(close.code) ? close.code : 1005;
      finish(code, typeof close.reason === 'string' ? close.reason : '');
    }
  }

  /** Sends the outbox, one POST at a time; what queues up meanwhile goes in the next POST. */
  async function pump() {
    if (posting) return;
    posting = true;
    try {
      while (outbox.length > 0 && (state === 'open' || state === 'closing')) {
        let count = 0;
        let chars = 0;
        while (count < outbox.length && count < MAX_BATCH_ENVELOPES
          && (count === 0 || chars + outbox[count].length <= MAX_BATCH_CHARS)) {
          chars += outbox[count].length;
          count += 1;
        }
        const batch = outbox.splice(0, count);
        const seq = nextSeq;
        nextSeq += batch.length;
        if (!(await post(seq, batch))) return;
      }
    } finally {
      posting = false;
    }
    if (state === 'closing') leave();
  }

  /** One send POST, retried with the same seq; false when the transport has ended. */
  async function post(seq, batch) {
    const body = `[${batch.join(',')}]`;
    for (let failures = 0; ;) {
      let status = 0;
      try {
        ({ status } = await request('POST', { session, seq }, { body }));
      } catch {
        // a network error or a timeout: retried below
      }
      if (state !== 'open' && state !== 'closing') return false;
      if (status === 204 || status === 200) return true;
      if (status === 400) {
        // The server refused the body (not an array of objects) and did not take its numbers.
        console.warn(`Switchboard: long polling: the server refused ${batch.length} envelope(s) (HTTP 400); dropped`);
        nextSeq = seq;
        return true;
      }
      if (status === 404) {
        fail(1006, 'long polling: the session has ended', { sessionGone: true });
        return false;
      }
      if (status === 409) {
        fail(1006, 'long polling: the server is missing earlier sends (HTTP 409)');
        return false;
      }
      if (status === 413) {
        fail(1009, 'long polling: the send was too large (HTTP 413)');
        return false;
      }
      failures += 1;
      if (failures > MAX_RETRIES) {
        fail(1006, `long polling: send failed ${failures} times (last: ${status === 0 ? 'no answer' : `HTTP ${status}`})`);
        return false;
      }
      await sleep(retryDelay(failures));
    }
  }

  const transport = {
    name: 'longpolling',
    onopen() {},
    onmessage() {},
    onclose() {},
    open() {
      if (state !== 'idle') return;
      state = 'opening';
      start();
    },
    send(text) {
      if (state !== 'open') return;
      outbox.push(String(text));
      if (posting || pumpScheduled) return;
      // Sends made in the same turn go in one POST.
      pumpScheduled = true;
      queueMicrotask(() => {
        pumpScheduled = false;
        pump();
      });
    },
    close(code = 1000, reason = '') {
      if (state === 'done' || state === 'closing') return;
      closeInfo = { code, reason };
      if (state === 'idle') {
        finish(code, reason);
        return;
      }
      const wasOpen = state === 'open';
      state = 'closing';
      closeTimer = unref(setTimeout(() => fail(code, reason), REQUEST_TIMEOUT_MS));
      for (const controller of inFlight) if (controller.poll) controller.abort();
      // Opening: start() leaves once the session exists. Open: the sends made go first.
      if (wasOpen && !posting && !pumpScheduled) leave();
      else if (wasOpen && pumpScheduled) {
        pumpScheduled = false;
        pump();
      }
    },
  };
  return transport;
}

/**
 * The "auto" transport factory: each call of `autoTransport()` makes a factory with its own memory,
 * for one client. A connection attempt starts with WebSocket; when the WebSocket closes before it
 * ever opened, the same attempt goes on over long polling, and once that opened, the factory makes
 * long-polling transports from then on. When both fail nothing is learnt (the server may just be
 * down), so the next attempt tries WebSocket again.
 */
export function autoTransport() {
  let useLongPolling = false;
  return (url, options = {}) => {
    const WebSocketImpl = options.WebSocket ?? globalThis.WebSocket;
    if (useLongPolling || typeof WebSocketImpl !== 'function') return longPollingTransport(url, options);
    let inner = null;
    let opened = false;
    let fellBack = false;
    let closing = false;
    const transport = {
      name: 'websocket',
      onopen() {},
      onmessage() {},
      onclose() {},
      open() {
        use(webSocketTransport(url, options));
      },
      send(text) {
        inner.send(text);
      },
      close(code, reason) {
        closing = true;
        inner?.close(code, reason);
      },
    };
    const use = (t) => {
      inner = t;
      t.onopen = () => {
        opened = true;
        if (fellBack) useLongPolling = true;
        transport.onopen();
      };
      t.onmessage = (payload) => transport.onmessage(payload);
      t.onclose = (info) => {
        if (opened || fellBack || closing) {
          transport.onclose(info);
          return;
        }
        fellBack = true;
        transport.name = 'longpolling';
        try {
          use(longPollingTransport(url, options));
        } catch {
          transport.onclose(info);
        }
      };
      t.open();
    };
    return transport;
  };
}

/** The factory for a built-in transport name, or undefined. */
function builtInTransport(name) {
  switch (name) {
    case 'auto': return autoTransport();
    case 'websocket': return webSocketTransport;
    case 'longpolling':
    case 'longpoll': return longPollingTransport;
    default: return undefined;
  }
}

/** Encodes one envelope; `type` comes first. */
export function encodeEnvelope(type, data, id) {
  const envelope = { type, data: data === undefined ? {} : data };
  if (id !== undefined) envelope.id = id;
  return JSON.stringify(envelope);
}

/** Decodes one envelope: returns `{ type, data, id }` or throws a "malformed" SwitchboardError. */
export function decodeEnvelope(raw) {
  const fail = (why) => {
    throw new SwitchboardError('malformed', `Switchboard: malformed envelope: ${why}`, { raw });
  };
  if (typeof raw !== 'string') fail('not a text message');
  let value;
  try {
    value = JSON.parse(raw);
  } catch {
    fail('not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('not a JSON object');
  if (typeof value.type !== 'string' || value.type === '') fail('missing or empty "type"');
  const envelope = { type: value.type, data: value.data, id: value.id };
  // A message of a group that keeps history carries its position (docs/protocol.md, "History and recovery").
  if (value.group !== undefined) {
    if (typeof value.group !== 'string') fail('"group" is not a string');
    envelope.group = value.group;
  }
  if (value.offset !== undefined) {
    if (!Number.isSafeInteger(value.offset) || value.offset < 1) fail('"offset" is not a positive integer');
    envelope.offset = value.offset;
  }
  return envelope;
}

/** The notice a server sends first when a connection joins a group that keeps history. */
const JOINED_NOTICE = 'switchboard.joined';
/** The prefix of every notice the server sends of its own accord; one this client does not know is ignored. */
const NOTICE_PREFIX = 'switchboard.';
/** The most `recover` parameters a server takes in one connect request. */
export const MAX_RECOVER = 32;
/** What a server accepts as an epoch. */
const EPOCH = /^[A-Za-z0-9_-]{1,64}$/;

/** The `recover` query value of one position: EPOCH:OFFSET:GROUP, the group percent-encoded. */
const recoverValue = (group, { epoch, offset }) => `${epoch}:${offset}:${encodeURIComponent(group)}`;

/** `options.positions` (a Map or an object, group -> { epoch, offset }), checked; a Map of copies. */
function seedPositions(seed) {
  const positions = new Map();
  if (seed === undefined || seed === null) return positions;
  const entries = seed instanceof Map ? [...seed] : Object.entries(seed);
  for (const [group, position] of entries) {
    const where = `Switchboard: options.positions[${JSON.stringify(group)}]`;
    if (!EPOCH.test(position?.epoch ?? '')) throw new RangeError(`${where}.epoch must be 1 to 64 characters of A-Z, a-z, 0-9, "_" and "-"`);
    if (!Number.isSafeInteger(position.offset) || position.offset < 0) throw new RangeError(`${where}.offset must be an integer >= 0`);
    positions.set(String(group), { epoch: position.epoch, offset: position.offset });
  }
  return positions;
}

/** The data of a switchboard.joined notice, or a reason it is malformed. */
function readJoined(data) {
  if (data === null || typeof data !== 'object') return { error: 'data is not an object' };
  const { group, epoch, offset, recovered } = data;
  if (typeof group !== 'string') return { error: '"group" is not a string' };
  if (typeof epoch !== 'string' || !EPOCH.test(epoch)) return { error: '"epoch" is not 1 to 64 characters of A-Z, a-z, 0-9, "_" and "-"' };
  if (!Number.isSafeInteger(offset) || offset < 0) return { error: '"offset" is not an integer >= 0' };
  if (recovered !== undefined && recovered !== null && typeof recovered !== 'boolean') return { error: '"recovered" is not a boolean' };
  return { group, epoch, offset, recovered: recovered ?? null };
}

export class SwitchboardClient {
  #url;
  #options;
  #factory;
  #handlers = new Map(); // type -> Set of handlers
  #stateHandlers = new Set();
  #errorHandlers = new Set();
  #joinedHandlers = new Set();
  #positions; // group -> { epoch, offset }
  #state = ConnectionState.Connecting;
  #transport = null;
  #queue = [];
  #attempt = 0;
  #everOpened = false;
  #later = false; // closed with 1013 and not connected since: retries wait tryAgainLaterMs more
  #timer = null;
  #stopped = false;
  #transportName = null;
  #pending = new Map(); // request id -> { type, settle(error, reply), sent }
  #nextRequest = 0;

  /** `url`: ws:// or wss:// endpoint. `options`: see DEFAULT_OPTIONS. */
  constructor(url, options = {}) {
    this.#url = String(url);
    const o = { ...DEFAULT_OPTIONS, ...options };
    const nonNegative = (name) => {
      if (!(typeof o[name] === 'number' && o[name] >= 0)) {
        throw new RangeError(`Switchboard: options.${name} must be a number >= 0`);
      }
    };
    ['initialDelayMs', 'maxDelayMs', 'maxAttempts', 'maxQueued', 'tryAgainLaterMs'].forEach(nonNegative);
    if (!(typeof o.requestTimeoutMs === 'number' && o.requestTimeoutMs > 0)) throw new RangeError('Switchboard: options.requestTimeoutMs must be a number > 0');
    if (!(o.maxConnectAttempts >= 1)) throw new RangeError('Switchboard: options.maxConnectAttempts must be a number >= 1');
    if (o.maxDelayMs < o.initialDelayMs) throw new RangeError('Switchboard: options.maxDelayMs < initialDelayMs');
    credentialsMode(o.credentials);
    this.#positions = seedPositions(o.positions);
    this.#options = o;
    this.#factory = o.createTransport ?? builtInTransport(o.transport);
    if (!this.#factory) {
      console.warn(`Switchboard: there is no transport "${o.transport}"; using auto`);
      this.#factory = autoTransport();
    }
    queueMicrotask(() => this.#connect());
  }

  get url() { return this.#url; }

  /** The name of the transport of the current (or last) connection: "websocket", "longpolling", or null. */
  get transport() { return this.#transportName; }

  /** One of ConnectionState. */
  get state() { return this.#state; }

  /** Messages sent while not connected and not yet handed to a transport. */
  get queued() { return this.#queue.length; }

  /** Calls `handler(data, envelope)` for each message of `type`; returns an unsubscribe function. */
  on(type, handler) {
    if (typeof type !== 'string' || type === '') throw new TypeError('Switchboard: type must be a non-empty string');
    if (typeof handler !== 'function') throw new TypeError('Switchboard: handler must be a function');
    let set = this.#handlers.get(type);
    if (!set) this.#handlers.set(type, (set = new Set()));
    set.add(handler);
    return () => {
      set.delete(handler);
      if (set.size === 0 && this.#handlers.get(type) === set) this.#handlers.delete(type);
    };
  }

  /** Calls `handler(state, detail)` on each state change; returns an unsubscribe function. */
  onState(handler) {
    return subscribe(this.#stateHandlers, handler);
  }

  /**
   * Calls `handler(group, epoch, offset, recovered)` for each switchboard.joined notice: the connection
   * joined a group that keeps history. It runs before the group's replayed messages are delivered, so
   * an app that sees `recovered === false` (messages were missed: the history no longer covers the
   * position presented) can reload the group's state first. `recovered` is true when everything
   * after the presented position follows, null when no position was presented. Returns an
   * unsubscribe function.
   */
  onJoined(handler) {
    return subscribe(this.#joinedHandlers, handler);
  }

  /**
   * The client's place in each group that keeps history, as a new object { group: { epoch, offset } }:
   * the epoch of the group's last joined notice and the offset of the last message of that group
   * delivered (or the notice's, when the join did not recover). Every reconnect presents them; an
   * app that saves them and passes them back as `options.positions` recovers across page loads too.
   */
  positions() {
    const copy = {};
    for (const [group, { epoch, offset }] of this.#positions) copy[group] = { epoch, offset };
    return copy;
  }

  /** Calls `handler(error)` with a SwitchboardError; returns an unsubscribe function. */
  onError(handler) {
    return subscribe(this.#errorHandlers, handler);
  }

  /**
   * Sends `{type, data}` (and `id` when given). Returns true when handed to the transport, false
   * when queued. Throws when the client is closed, or while not connected when queueing is off or
   * the queue is full.
   */
  send(type, data, { id } = {}) {
    if (typeof type !== 'string' || type === '') throw new TypeError('Switchboard: type must be a non-empty string');
    if (this.#stopped) throw new Error(`Switchboard: cannot send "${type}": the client is closed`);
    const text = encodeEnvelope(type, data, id);
    if (this.#state === ConnectionState.Open && this.#transport) {
      this.#transport.send(text);
      return true;
    }
    if (!this.#options.queueWhileDisconnected) {
      throw new Error(`Switchboard: cannot send "${type}": not connected (${this.#state}) and queueing is off`);
    }
    if (this.#queue.length >= this.#options.maxQueued) {
      throw new Error(`Switchboard: cannot send "${type}": ${this.#options.maxQueued} messages are already queued while disconnected (options.maxQueued)`);
    }
    this.#queue.push(text);
    return false;
  }

  /** Requests sent or queued that have not been answered yet. */
  get pendingRequests() { return this.#pending.size; }

  /**
   * Sends a request `{type, id, data}` and returns a promise of the reply `{ type, data }`. Rejects
   * with a SwitchboardRequestError: the server's switchboard.failure (its code), "timeout" after
   * `timeout` ms (default options.requestTimeoutMs), "aborted" when `signal` aborts, "disconnected"
   * when the connection is lost before the reply, the client is closed, or it cannot be sent
   * (not connected, and queueing is off or the queue is full).
   */
  request(type, data, { timeout, signal } = {}) {
    if (typeof type !== 'string' || type === '') throw new TypeError('Switchboard: type must be a non-empty string');
    const timeoutMs = timeout ?? this.#options.requestTimeoutMs;
    if (!(typeof timeoutMs === 'number' && timeoutMs > 0)) throw new RangeError('Switchboard: timeout must be a number > 0');
    if (signal !== undefined && signal !== null && typeof signal.addEventListener !== 'function') {
      throw new TypeError('Switchboard: signal must be an AbortSignal');
    }
    return new Promise((resolve, reject) => {
      const failure = (code, why, details = {}) => new SwitchboardRequestError(code, `Switchboard: request "${type}" ${why}`, { request: type, ...details });
      if (signal?.aborted) {
        reject(failure('aborted', 'was aborted', { cause: signal.reason }));
        return;
      }
      if (this.#stopped) {
        reject(failure('disconnected', 'cannot be sent: the client is closed'));
        return;
      }
      this.#nextRequest += 1;
      const id = `r${this.#nextRequest}`;
      let timer = null;
      const onAbort = () => entry.settle(failure('aborted', 'was aborted', { cause: signal.reason }));
      const entry = {
        type,
        sent: false,
        settle: (error, reply) => {
          if (this.#pending.get(id) !== entry) return;
          this.#pending.delete(id);
          if (timer !== null) clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          if (error) reject(error);
          else resolve(reply);
        },
        failure,
      };
      this.#pending.set(id, entry);
      try {
        entry.sent = this.send(type, data, { id });
      } catch (cause) {
        entry.settle(failure('disconnected', `cannot be sent: ${cause?.message ?? cause}`, { cause }));
        return;
      }
      if (Number.isFinite(timeoutMs)) timer = unref(setTimeout(() => entry.settle(failure('timeout', `got no reply within ${timeoutMs} ms`)), timeoutMs));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Closes for good: no reconnect; queued sends are dropped. */
  close(code = 1000, reason = '') {
    if (code !== 1000 && !(code >= 3000 && code <= 4999)) {
      throw new RangeError('Switchboard: close code must be 1000 or 3000-4999');
    }
    if (this.#stopped) return;
    const transport = this.#stop();
    transport?.close(code, reason);
    this.#setState(ConnectionState.Closed, { code, reason, byClient: true });
  }

  #connect() {
    if (this.#attempt === 0 && !this.#stopped) this.#setState(ConnectionState.Connecting);
    if (this.#stopped) return; // close() before the first attempt, or from a state handler
    try {
      const transport = this.#factory(this.#connectUrl(), this.#options);
      this.#transport = transport;
      transport.onopen = () => transport === this.#transport && this.#opened();
      transport.onmessage = (raw) => transport === this.#transport && this.#receive(raw);
      transport.onclose = (info) => transport === this.#transport && this.#dropped(info ?? {});
      transport.open();
    } catch (cause) {
      // A bad URL or a missing WebSocket will not get better by retrying.
      this.#report(new SwitchboardError('transport', `Switchboard: cannot connect: ${cause?.message ?? cause}`, { cause }));
      this.#stop();
      this.#setState(ConnectionState.Closed, { code: 1006, reason: String(cause?.message ?? cause) });
    }
  }

  /**
   * The URL of the next connection: the endpoint plus one `recover=EPOCH:OFFSET:GROUP` parameter per
   * position held (none on a first connect unless seeded), up to MAX_RECOVER, unless options.recover is false.
   */
  #connectUrl() {
    if (!this.#options.recover || this.#positions.size === 0) return this.#url;
    const parameters = [];
    for (const [group, position] of this.#positions) {
      if (parameters.length === MAX_RECOVER) {
        console.warn(`Switchboard: ${this.#positions.size - MAX_RECOVER} group position(s) past the ${MAX_RECOVER} a server takes are left out and will not recover`);
        break;
      }
      parameters.push(`recover=${recoverValue(group, position)}`);
    }
    const u = new URL(this.#url);
    u.search = u.search.length > 1 ? `${u.search.slice(1)}&${parameters.join('&')}` : parameters.join('&');
    return u.href;
  }

  #opened() {
    this.#attempt = 0;
    this.#everOpened = true;
    this.#later = false;
    const queue = this.#queue;
    this.#queue = [];
    for (const text of queue) this.#transport.send(text);
    for (const entry of this.#pending.values()) entry.sent = true;
    this.#transportName = this.#transport.name ?? null;
    this.#setState(ConnectionState.Open, { transport: this.#transportName });
  }

  #dropped({ code = 1006, reason = '', status }) {
    this.#transport = null;
    // The replies to what went out on that connection will not come; what is still queued goes on the next.
    this.#failPending((entry) => entry.sent, `lost its connection before the reply (${code}${reason ? ` ${reason}` : ''})`);
    const o = this.#options;
    // An HTTP refusal is final whatever shouldReconnect says; a close code is for shouldReconnect to judge.
    const httpRefusal = status === 401 || status === 403 || status === 404;
    const retry = !httpRefusal && o.shouldReconnect(code, reason);
    const bound = this.#everOpened ? o.maxAttempts : Math.min(o.maxAttempts, o.maxConnectAttempts - 1);
    if (!retry || this.#attempt >= bound) {
      this.#stop();
      const detail = { code, reason, attempts: this.#attempt, refused: !retry && isRefusal({ code, status }) };
      if (status !== undefined) detail.status = status;
      this.#setState(ConnectionState.Closed, detail);
      return;
    }
    // 1013 is the server asking for time: wait at least tryAgainLaterMs, until a connection opens again.
    this.#later ||= code === 1013;
    const base = this.#later ? Math.max(o.tryAgainLaterMs, o.initialDelayMs) : o.initialDelayMs;
    const cap = Math.min(o.maxDelayMs, base * 2 ** this.#attempt);
    const delayMs = (this.#later ? o.tryAgainLaterMs : 0) + Math.floor(o.random() * cap);
    this.#attempt += 1;
    const schedule = o.setTimeout ?? ((callback, ms) => setTimeout(callback, ms));
    this.#timer = schedule(() => {
      this.#timer = null;
      this.#connect();
    }, delayMs);
    this.#setState(ConnectionState.Reconnecting, { code, reason, attempt: this.#attempt, delayMs });
  }

  #receive(raw) {
    let envelope;
    try {
      envelope = decodeEnvelope(raw);
    } catch (error) {
      this.#report(error);
      return;
    }
    const { type, data } = envelope;
    if (envelope.id !== undefined && envelope.id !== null) {
      this.#reply(envelope);
      return;
    }
    if (type.startsWith(NOTICE_PREFIX)) {
      if (type === JOINED_NOTICE) this.#joined(data, raw);
      return;
    }
    const handlers = this.#handlers.get(type);
    if (!handlers) {
      this.#report(new SwitchboardError('unknown-type', `Switchboard: no handler for "${type}"`, { type, data, raw }));
    } else {
      for (const handler of [...handlers]) {
        try {
          handler(data, envelope);
        } catch (cause) {
          this.#report(new SwitchboardError('handler', `Switchboard: a "${type}" handler threw: ${cause?.message ?? cause}`, { type, data, raw, cause }));
        }
      }
    }
    // The message has been delivered: the group's position moves past it (a group with no epoch known yet has none).
    if (envelope.group !== undefined && envelope.offset !== undefined) {
      const held = this.#positions.get(envelope.group);
      if (held) held.offset = envelope.offset;
    }
  }

  /** A reply: settles the request of its id; one that matches none (it came too late) is ignored. */
  #reply({ type, data, id }) {
    const entry = typeof id === 'string' ? this.#pending.get(id) : undefined;
    if (!entry) return;
    if (type !== FAILURE) {
      entry.settle(null, { type, data });
      return;
    }
    const code = typeof data?.code === 'string' && data.code !== '' ? data.code : 'failure';
    const why = typeof data?.message === 'string' && data.message !== '' ? data.message : 'no message';
    entry.settle(entry.failure(code, `failed (${code}): ${why}`, { type, data }));
  }

  /** Rejects the requests in flight that `which` picks with "disconnected". */
  #failPending(which, why) {
    for (const entry of [...this.#pending.values()]) {
      if (which(entry)) entry.settle(entry.failure('disconnected', why));
    }
  }

  /** A switchboard.joined notice: the client rule sets the position, then the onJoined handlers run. */
  #joined(data, raw) {
    const notice = readJoined(data);
    if (notice.error) {
      this.#report(new SwitchboardError('malformed', `Switchboard: malformed ${JOINED_NOTICE} notice: ${notice.error}`, { type: JOINED_NOTICE, data, raw }));
      return;
    }
    const { group, epoch, offset, recovered } = notice;
    const held = this.#positions.get(group);
    this.#positions.set(group, { epoch, offset: recovered === true && held ? held.offset : offset });
    for (const handler of [...this.#joinedHandlers]) {
      try {
        handler(group, epoch, offset, recovered);
      } catch (cause) {
        this.#report(new SwitchboardError('handler', `Switchboard: an onJoined handler threw: ${cause?.message ?? cause}`, { type: JOINED_NOTICE, data, raw, cause }));
      }
    }
  }

  /** Marks the client closed for good and returns the transport that was current, if any. */
  #stop() {
    this.#stopped = true;
    if (this.#timer !== null) (this.#options.clearTimeout ?? ((id) => clearTimeout(id)))(this.#timer);
    this.#timer = null;
    this.#queue = [];
    const transport = this.#transport;
    this.#transport = null;
    this.#failPending(() => true, 'got no reply: the client closed');
    return transport;
  }

  #setState(state, detail = {}) {
    this.#state = state;
    for (const handler of [...this.#stateHandlers]) {
      try {
        handler(state, detail);
      } catch (error) {
        console.error('Switchboard: a state handler threw', error);
      }
    }
  }

  #report(error) {
    if (this.#errorHandlers.size === 0) {
      console.warn(error.message);
      return;
    }
    for (const handler of [...this.#errorHandlers]) {
      try {
        handler(error);
      } catch (thrown) {
        console.error('Switchboard: an error handler threw', thrown);
      }
    }
  }
}

function subscribe(set, handler) {
  if (typeof handler !== 'function') throw new TypeError('Switchboard: handler must be a function');
  set.add(handler);
  return () => set.delete(handler);
}
