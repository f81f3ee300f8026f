// Types of switchboard.js, the Switchboard client (ES module). The behaviour each member describes is
// documented in switchboard.js and docs/protocol.md.

/** A connection state reported by `onState`. */
export type ConnectionStateName = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** The states reported by `onState`, by name. */
export declare const ConnectionState: Readonly<{
  Connecting: 'connecting';
  Open: 'open';
  Reconnecting: 'reconnecting';
  Closed: 'closed';
}>;

/** The built-in transports `options.transport` may name ("longpoll" is "longpolling"). */
export type TransportName = 'auto' | 'websocket' | 'longpolling' | 'longpoll';

/** The fetch credentials modes of every long-polling request. */
export type CredentialsMode = 'omit' | 'same-origin' | 'include';

/** How a transport ended: the close code and reason, and the HTTP status of a refused open. */
export interface TransportCloseInfo {
  code: number;
  reason: string;
  status?: number;
}

/** One connection attempt's transport; see "Transports" in switchboard.js. */
export interface Transport {
  /** "websocket" or "longpolling" for the built-in ones. */
  name?: string;
  open(): void;
  send(text: string): void;
  close(code?: number, reason?: string): void;
  onopen: () => void;
  onmessage: (payload: unknown) => void;
  onclose: (info: TransportCloseInfo) => void;
}

/** Makes the transport of one connection attempt. */
export type TransportFactory = (url: string, options: Readonly<SwitchboardClientOptions>) => Transport;

/** A group's place in its history: the epoch of its last joined notice and the offset of the last message delivered. */
export interface Position {
  epoch: string;
  offset: number;
}

/** Positions by group name, as `positions()` returns them and `options.positions` takes them. */
export type Positions = Record<string, Position>;

/** A WebSocket constructor, the browser's or an injected one (Node's `ws`). */
export type WebSocketConstructor = new (url: string) => {
  onopen: ((event: any) => void) | null;
  onmessage: ((event: { data: any }) => void) | null;
  onerror: ((event: any) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
};

/** The options of a SwitchboardClient; every one has a default (DEFAULT_OPTIONS). */
export interface SwitchboardClientOptions {
  /** Backoff cap of the first reconnect attempt, in ms (500). */
  initialDelayMs?: number;
  /** Upper bound of any backoff cap, in ms (30 000). */
  maxDelayMs?: number;
  /** Least wait before coming back after a 1013 close, in ms (5 000). */
  tryAgainLaterMs?: number;
  /** Failed reconnect attempts in a row before giving up (Infinity). */
  maxAttempts?: number;
  /** Attempts before the first connection opens (3). */
  maxConnectAttempts?: number;
  /** Sends kept while not connected; one more throws (100). */
  maxQueued?: number;
  /** False: send() throws at once while not connected (true). */
  queueWhileDisconnected?: boolean;
  /** How long request() waits for its reply by default, in ms (30 000). */
  requestTimeoutMs?: number;
  /** Asked when the server closes: whether to reconnect (isRetryableClose). */
  shouldReconnect?: (code: number, reason: string) => boolean;
  /** The built-in transport ("auto"). */
  transport?: TransportName;
  /** A custom transport factory; replaces `transport`. */
  createTransport?: TransportFactory;
  /** The WebSocket constructor (globalThis.WebSocket). */
  WebSocket?: WebSocketConstructor;
  /** The fetch function of long polling (globalThis.fetch). */
  fetch?: typeof globalThis.fetch;
  /** The credentials mode of every long-polling request ("same-origin"). */
  credentials?: CredentialsMode;
  /** Whether reconnects present the positions held (true). */
  recover?: boolean;
  /** Positions to start from, as positions() gave them. */
  positions?: Positions | Map<string, Position>;
  /** Jitter source returning [0, 1) (Math.random). */
  random?: () => number;
  /** Starts the wait before a reconnect (globalThis.setTimeout). */
  setTimeout?: (callback: () => void, ms: number) => unknown;
  /** Cancels that wait (globalThis.clearTimeout). */
  clearTimeout?: (id: any) => void;
}

/** The defaults of every option. */
export declare const DEFAULT_OPTIONS: Readonly<Required<Omit<SwitchboardClientOptions, 'createTransport' | 'WebSocket' | 'fetch' | 'positions' | 'setTimeout' | 'clearTimeout'>>> & Readonly<{
  createTransport: undefined;
  WebSocket: undefined;
  fetch: undefined;
  positions: undefined;
  setTimeout: undefined;
  clearTimeout: undefined;
}>;

/** One envelope as received: the message type, its data, and the optional id, group and offset. */
export interface Envelope<TData = unknown> {
  type: string;
  data: TData;
  id?: unknown;
  group?: string;
  offset?: number;
}

/** What `onError` handlers receive. */
export type SwitchboardErrorKind = 'malformed' | 'unknown-type' | 'handler' | 'transport';

/** A problem reported to `onError` handlers. */
export declare class SwitchboardError extends Error {
  constructor(kind: SwitchboardErrorKind, message: string, details?: { type?: string; data?: unknown; raw?: unknown; cause?: unknown });
  readonly name: 'SwitchboardError';
  kind: SwitchboardErrorKind;
  type: string | undefined;
  data: unknown;
  raw: unknown;
}

/** The codes of a switchboard.failure reply. */
export type FailureCode = 'handler_failed' | 'too_many_requests' | 'no_handler' | 'invalid_request';

/** The codes a request() rejects with: the server's failures (a newer server may send others) and the client's own. */
export type RequestErrorCode = FailureCode | 'timeout' | 'aborted' | 'disconnected' | (string & {});

/** What request() rejects with. */
export declare class SwitchboardRequestError extends Error {
  constructor(code: RequestErrorCode, message: string, details?: { request?: string; type?: string; data?: unknown; cause?: unknown });
  readonly name: 'SwitchboardRequestError';
  code: RequestErrorCode;
  /** The type that was requested. */
  request: string | undefined;
  /** The reply's type: "switchboard.failure" for a failure; undefined for the client's own codes. */
  type: string | undefined;
  /** The reply's data: `{ code, message }` for a failure. */
  data: unknown;
}

/** A reply to a request: a response or a typed error, told apart by `type`. */
export interface Reply<TData = unknown> {
  type: string;
  data: TData;
}

/** The options of one request. */
export interface RequestOptions {
  /** Milliseconds to wait for the reply (options.requestTimeoutMs); Infinity waits as long as the connection lasts. */
  timeout?: number;
  /** Rejects the request with "aborted" when it aborts. */
  signal?: AbortSignal;
}

/** The detail of each state `onState` reports. */
export interface StateDetail {
  /** "open": the transport in use. */
  transport?: string | null;
  /** "reconnecting" and "closed": the close code. */
  code?: number;
  reason?: string;
  /** "reconnecting": the attempt about to start and the wait before it. */
  attempt?: number;
  delayMs?: number;
  /** "closed": failed attempts in a row. */
  attempts?: number;
  /** "closed": the server refused the client (final). */
  refused?: boolean;
  /** "closed": the HTTP status of a refused open. */
  status?: number;
  /** "closed": close() was called. */
  byClient?: boolean;
}

/** Removes the handler it was returned for. */
export type Unsubscribe = () => void;

export declare class SwitchboardClient {
  /** `url`: the ws://, wss://, http:// or https:// endpoint URL. */
  constructor(url: string | URL, options?: SwitchboardClientOptions);
  readonly url: string;
  /** The transport of the current (or last) connection. */
  readonly transport: 'websocket' | 'longpolling' | string | null;
  readonly state: ConnectionStateName;
  /** Messages sent while not connected and not yet handed to a transport. */
  readonly queued: number;
  /** Requests sent or queued that have not been answered yet. */
  readonly pendingRequests: number;
  on<TData = unknown>(type: string, handler: (data: TData, envelope: Envelope<TData>) => void): Unsubscribe;
  onState(handler: (state: ConnectionStateName, detail: StateDetail) => void): Unsubscribe;
  onJoined(handler: (group: string, epoch: string, offset: number, recovered: boolean | null) => void): Unsubscribe;
  onError(handler: (error: SwitchboardError) => void): Unsubscribe;
  /** The client's place in each group that keeps history. */
  positions(): Positions;
  /** True when handed to the transport, false when queued. */
  send(type: string, data?: unknown, options?: { id?: string }): boolean;
  /** Sends a request; resolves with its reply, rejects with a SwitchboardRequestError. */
  request<TReply = unknown>(type: string, data?: unknown, options?: RequestOptions): Promise<Reply<TReply>>;
  /** Closes for good: code 1000 or 3000-4999. */
  close(code?: number, reason?: string): void;
}

/** Whether a close code is worth reconnecting after (the default `shouldReconnect`). */
export declare function isRetryableClose(code: number): boolean;

/** Whether a transport's end is a refusal, which is final. */
export declare function isRefusal(info?: { code?: number; status?: number }): boolean;

/** The WebSocket transport. */
export declare function webSocketTransport(url: string, options?: SwitchboardClientOptions): Transport;

/** The HTTP long-polling transport. */
export declare function longPollingTransport(url: string, options?: SwitchboardClientOptions): Transport;

/** The "auto" transport factory: WebSocket first, long polling when the WebSocket never opens. */
export declare function autoTransport(): TransportFactory;

/** The http:// or https:// URL of an endpoint URL. */
export declare function httpUrl(url: string | URL): URL;

/** Encodes one envelope; `type` comes first. */
export declare function encodeEnvelope(type: string, data?: unknown, id?: string): string;

/** Decodes one envelope; throws a "malformed" SwitchboardError. */
export declare function decodeEnvelope(raw: unknown): Envelope;

/** The most `recover` parameters a server takes in one connect request. */
export declare const MAX_RECOVER: 32;
