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
 *   id    optional; reserved for request/response correlation.
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
 *   client.close();
 *
 * The client connects on the next microtask after construction, so handlers registered right after
 * `new` see every state and message. When the connection drops it reconnects with exponential
 * backoff and full jitter: before attempt n (0-based) it waits random() * min(maxDelayMs,
 * initialDelayMs * 2^n). The attempt counter resets once a connection opens. It does not reconnect
 * after `close()`, after `maxAttempts` failed attempts in a row, or when `shouldReconnect(code,
 * reason)` says no for the server's close code. Sends made while not open are queued (up to
 * `maxQueued`) and flushed in order, before the "open" state is reported, once a connection opens.
 * Delivery is at most once: a message handed to a socket that is already dying may be lost.
 *
 * Transports: each connection attempt creates one transport object through a factory
 * `(url, options) => transport` with this contract:
 *
 *   transport.open()               start connecting
 *   transport.send(text)           send one envelope; called only between onopen and onclose
 *   transport.close(code, reason)  start closing; onclose still follows
 *   transport.onopen()             set by the client; the transport is ready to send
 *   transport.onmessage(payload)   set by the client; one envelope (a string; anything else is malformed)
 *   transport.onclose({code, reason})  set by the client; called exactly once, also when opening fails
 *
 * `options.transport` names a built-in transport; only "websocket" exists today and any other name
 * (such as "longpoll") falls back to it with a console warning. `options.createTransport` plugs in a
 * custom factory.
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
 * 1006 (dropped, or the connection could not be made), 1011-1014 (server trouble).
 */
export function isRetryableClose(code) {
  if ([1000, 1002, 1003, 1007, 1008, 1010].includes(code)) return false;
  return !(code >= 4000 && code <= 4999);
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

export const DEFAULT_OPTIONS = Object.freeze({
  initialDelayMs: 500,         // backoff cap of the first reconnect attempt
  maxDelayMs: 30_000,          // upper bound of any backoff cap
  maxAttempts: Infinity,       // failed reconnect attempts in a row before giving up
  maxQueued: 100,              // sends kept while not connected; one more throws
  queueWhileDisconnected: true, // false: send() throws at once while not connected
  shouldReconnect: isRetryableClose, // (code, reason) => boolean, asked when the server closes
  transport: 'websocket',      // built-in transport name
  createTransport: undefined,  // custom transport factory (url, options) => transport
  WebSocket: undefined,        // WebSocket constructor; defaults to globalThis.WebSocket
  random: Math.random,         // jitter source, a function returning [0, 1)
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

const TRANSPORTS = { websocket: webSocketTransport };

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
  return { type: value.type, data: value.data, id: value.id };
}

export class SwitchboardClient {
  #url;
  #options;
  #factory;
  #handlers = new Map(); // type -> Set of handlers
  #stateHandlers = new Set();
  #errorHandlers = new Set();
  #state = ConnectionState.Connecting;
  #transport = null;
  #queue = [];
  #attempt = 0;
  #timer = null;
  #stopped = false;

  /** `url`: ws:// or wss:// endpoint. `options`: see DEFAULT_OPTIONS. */
  constructor(url, options = {}) {
    this.#url = String(url);
    const o = { ...DEFAULT_OPTIONS, ...options };
    const nonNegative = (name) => {
      if (!(typeof o[name] === 'number' && o[name] >= 0)) {
        throw new RangeError(`Switchboard: options.${name} must be a number >= 0`);
      }
    };
    ['initialDelayMs', 'maxDelayMs', 'maxAttempts', 'maxQueued'].forEach(nonNegative);
    if (o.maxDelayMs < o.initialDelayMs) throw new RangeError('Switchboard: options.maxDelayMs < initialDelayMs');
    this.#options = o;
    this.#factory = o.createTransport ?? TRANSPORTS[o.transport];
    if (!this.#factory) {
      console.warn(`Switchboard: transport "${o.transport}" is not available yet; using websocket`);
      this.#factory = webSocketTransport;
    }
    queueMicrotask(() => this.#connect());
  }

  get url() { return this.#url; }

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
      const transport = this.#factory(this.#url, this.#options);
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

  #opened() {
    this.#attempt = 0;
    const queue = this.#queue;
    this.#queue = [];
    for (const text of queue) this.#transport.send(text);
    this.#setState(ConnectionState.Open);
  }

  #dropped({ code = 1006, reason = '' }) {
    this.#transport = null;
    const o = this.#options;
    if (!o.shouldReconnect(code, reason) || this.#attempt >= o.maxAttempts) {
      this.#stop();
      this.#setState(ConnectionState.Closed, { code, reason, attempts: this.#attempt });
      return;
    }
    const cap = Math.min(o.maxDelayMs, o.initialDelayMs * 2 ** this.#attempt);
    const delayMs = Math.floor(o.random() * cap);
    this.#attempt += 1;
    this.#timer = setTimeout(() => {
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
    const handlers = this.#handlers.get(type);
    if (!handlers) {
      this.#report(new SwitchboardError('unknown-type', `Switchboard: no handler for "${type}"`, { type, data, raw }));
      return;
    }
    for (const handler of [...handlers]) {
      try {
        handler(data, envelope);
      } catch (cause) {
        this.#report(new SwitchboardError('handler', `Switchboard: a "${type}" handler threw: ${cause?.message ?? cause}`, { type, data, raw, cause }));
      }
    }
  }

  /** Marks the client closed for good and returns the transport that was current, if any. */
  #stop() {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = null;
    this.#queue = [];
    const transport = this.#transport;
    this.#transport = null;
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
