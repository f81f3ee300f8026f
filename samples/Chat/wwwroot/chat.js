// The instant-messaging page. Every piece of text that comes from a user or the server is put in
// the page with textContent or DOM properties, never parsed as HTML.
//
// Wire contract: client->server `chat.send {text}`, `chat.direct {to, text}`; server->client
// `chat.roster {users}` (on join), `chat.joined {user}`, `chat.left {user}`,
// `chat.message {sender, text, sentAt}`, `chat.direct {from, to, text, sentAt}`, `chat.error {reason}`,
// `chat.announcement {text, sentAt}`; the request `chat.history {before, limit}`, answered with
// `chat.history.page {entries, more}` or the typed error `chat.history.refused {reason}`.
//
// `?transport=longpolling` (or `websocket`, or `auto`, the default) in the page URL forces the client's
// transport; the status text in the top bar names the one in use.
//
// Recovery (docs/protocol.md, "History and recovery"): the client keeps its position in the room and presents it when
// it reconnects. The room's switchboard.joined notice then says `recovered: true` (the missed messages follow, after
// those shown) or `false` (the history no longer reaches back: the page clears the room's messages, and the room's
// last 50 follow). Either way nothing shows twice. A reconnect refused because the name is still taken (the lost
// connection's node died and holds the name until its lease frees it, docs/scale-out.md) is retried from the same
// positions for up to TAKEN_RETRY_MS; a first join refused as taken is final at once.
//
// Older history: joining shows the room's last 50 messages; "Load older messages" pages back through the room's history
// with chat.history requests (older.js, which samples/Chat.AspNetCore's page uses too).

// @ts-check
//
// Types (checked by tests/Contract.Tests with tsc --checkJs, no build step: the browser runs this file as it is): the
// client package's switchboard.d.ts, and the message types the Chat build writes (obj/contract/Chat.messages.ts). The
// page sends and handles messages through ChatClient, the plain client seen through those types, so a misspelt
// message type or a wrong data field fails the check.

import { SwitchboardClient } from './switchboard.js';
import { OlderHistory } from './older.js';

/**
 * @typedef {import('./Chat.messages.js').ServerMessages} ServerMessages
 * @typedef {import('./Chat.messages.js').HistoryEntry} HistoryEntry
 * @typedef {import('./Chat.messages.js').TypedClient<SwitchboardClient>} TypedChat
 * @typedef {import('./switchboard.js').StateDetail} StateDetail
 * @typedef {import('./switchboard.js').ConnectionStateName} ConnectionStateName
 * @typedef {import('./switchboard.js').Positions} Positions
 * @typedef {import('./switchboard.js').TransportName} TransportName
 */
/**
 * The client with send, request and on keyed by wire name and typed by the message's data.
 * @typedef {Omit<SwitchboardClient, 'send' | 'on' | 'request'> & Pick<TypedChat, 'send' | 'request'> & {
 *   on<K extends keyof ServerMessages>(type: K, handler: (data: ServerMessages[K], envelope: import('./switchboard.js').Envelope<ServerMessages[K]>) => void): import('./switchboard.js').Unsubscribe
 * }} ChatClient
 */
/**
 * One chat session: from joining to leaving.
 * @typedef {{
 *   name: string, client: ChatClient | null, joined: boolean, refused: boolean, opened: boolean, target: string | null,
 *   users: Set<string>, retryUntil: number, retryDelayMs: number, older: OlderHistory,
 * }} Session
 */
/**
 * A message as the list shows it.
 * @typedef {{ kind: string, sender?: string | null, to?: string | null, text?: string | null, sentAt?: string | null, offset?: number }} ShownMessage
 */

/** The longest message in UTF-16 code units (string length); the same bound as ChatRoom.MaxTextLength. */
const MAX_MESSAGE_LENGTH = 2000;
/** 1-32 letters, digits, '_' or '-'. The server has the last word; this spares a round trip. */
const NAME_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
/** Messages kept in the list; the oldest go first. */
const MAX_RENDERED = 500;
/**
 * How long a reconnect refused as "taken" is retried: a dead node's lease (10 s by default) plus the survivors' reap
 * period (a third of it), plus a margin.
 */
const TAKEN_RETRY_MS = 20_000;
/** The room's group, whose joined notices say whether the messages shown are still the room's. */
const ROOM = 'room';

const STATUS_TEXT = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  open: 'Connected',
  reconnecting: 'Reconnecting…',
  closed: 'Disconnected',
};

/** How the status text names a transport. */
/** @type {Record<string, string>} */
const TRANSPORT_TEXT = { websocket: 'WebSocket', longpolling: 'long polling' };
/** The values of `?transport=` passed on to the client; anything else leaves it on auto. */
const TRANSPORTS = new Set(['auto', 'websocket', 'longpolling', 'longpoll']);

/**
 * The element with `id`, of the kind index.html has there.
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} id
 * @returns {T}
 */
const $ = (id) => /** @type {T} */ (document.getElementById(id));
const ui = {
  me: $('me'), status: $('status'), leave: $('leave'), error: $('error'),
  joinView: $('join-view'), joinForm: $('join-form'), name: /** @type {HTMLInputElement} */ ($('name')),
  chatView: $('chat-view'), roster: $('roster'), rosterCount: $('roster-count'),
  log: $('log'), messages: $('messages'),
  older: $('older'), olderButton: /** @type {HTMLButtonElement} */ ($('older-button')), olderStatus: $('older-status'),
  composer: $('composer'), input: /** @type {HTMLInputElement} */ ($('message-input')),
  send: /** @type {HTMLButtonElement} */ ($('send')),
  target: $('target'), targetClear: $('target-clear'), counter: $('counter'),
};

/** The current chat session, or null on the join form. @type {Session | null} */
let session = null;
/** What raised the error on display: 'composer' errors go away after the next successful send. @type {string | null} */
let errorSource = null;

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {string} [className]
 * @param {string} [text]
 * @returns {HTMLElementTagNameMap[K]}
 */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** @param {string} message @param {string} [source] */
function showError(message, source = 'other') {
  errorSource = source;
  ui.error.textContent = message;
  ui.error.hidden = false;
}

function clearError() {
  errorSource = null;
  ui.error.textContent = '';
  ui.error.hidden = true;
}

/** @param {keyof STATUS_TEXT} state @param {string} [text] @param {string} [transport] */
function setStatus(state, text = STATUS_TEXT[state], transport = '') {
  ui.status.dataset.state = state;
  ui.status.dataset.transport = transport;
  ui.status.textContent = text;
}

/** @param {'join' | 'chat'} view */
function showView(view) {
  const chat = view === 'chat';
  ui.joinView.hidden = chat;
  ui.chatView.hidden = !chat;
  ui.leave.hidden = !chat;
  ui.me.hidden = !chat;
}

/** @param {boolean} enabled */
function setComposerEnabled(enabled) {
  ui.input.disabled = !enabled;
  ui.send.disabled = !enabled;
}

/** @param {string} name */
function chatUrl(name) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws/${encodeURIComponent(name)}`;
}

/** @returns {{ transport?: TransportName }} */
function clientOptions() {
  const transport = new URLSearchParams(location.search).get('transport');
  if (transport === null) return {};
  if (TRANSPORTS.has(transport)) return { transport: /** @type {TransportName} */ (transport) };
  console.warn(`Unknown ?transport=${transport}; use longpolling, websocket or auto`);
  return {};
}

// ---- joining and leaving ----

/** @param {string} name */
function join(name) {
  clearError();
  ui.messages.replaceChildren();
  /** @type {Session} */
  const s = {
    name, client: null, joined: false, refused: false, opened: false, target: null, users: new Set(), retryUntil: 0, retryDelayMs: 250,
    older: new OlderHistory(
      { older: ui.older, button: ui.olderButton, status: ui.olderStatus, log: ui.log, messages: ui.messages },
      (data, options) => s.client ? s.client.request('chat.history', data, options) : Promise.reject(new Error('not connected')),
      (entry) => historyItem(s, entry)),
  };
  session = s;
  renderRoster(s);
  renderTarget(s);
  updateCounter();
  setComposerEnabled(true);
  ui.leave.textContent = 'Leave';
  const who = el('strong', '', name);
  ui.me.replaceChildren('You are ', who);
  setStatus('connecting');
  showView('chat');

  connect(s);
  ui.input.focus();
}

/** A new client for the session, from `positions` (the last client's) when it replaces one. */
/**
 * @param {Session} s
 * @param {Positions} [positions]
 */
function connect(s, positions) {
  // The server serializes what it sends from the contract's records; the types say so.
  const client = /** @type {ChatClient} */ (/** @type {unknown} */ (new SwitchboardClient(chatUrl(s.name), { ...clientOptions(), positions })));
  s.client = client;
  /**
   * @template {keyof ServerMessages} K
   * @param {K} type
   * @param {(s: Session, data: ServerMessages[K], offset: number | undefined) => void} handler
   */
  const on = (type, handler) => client.on(type, (data, envelope) => {
    if (session !== s || s.client !== client) return;
    const offset = envelope?.group === ROOM ? envelope.offset : undefined;
    handler(s, /** @type {ServerMessages[K]} */ (data ?? {}), offset);
    if (offset !== undefined) s.older.seen(offset);
  });
  on('chat.roster', onRoster);
  on('chat.joined', onJoined);
  on('chat.left', onLeft);
  on('chat.message', onMessage);
  on('chat.announcement', onAnnouncement);
  on('chat.direct', onDirect);
  on('chat.error', onChatError);
  client.onState((state, detail) => {
    if (session === s && s.client === client) onState(s, state, detail);
  });
  client.onJoined((group, epoch, offset, recovered) => {
    if (session === s && s.client === client && group === ROOM) onRoomJoined(s, recovered);
  });
  // Notices of the client protocol (switchboard.*, such as switchboard.joined) are the client library's, not the page's.
  client.onError((error) => {
    if (!String(error.type ?? '').startsWith('switchboard.')) console.warn(error.message);
  });
}

/** Back to the join form; `error` is shown there. */
/** @param {string} [error] */
function leave(error) {
  const s = session;
  session = null;
  s?.older.close();
  s?.client?.close(1000, 'leaving');
  showView('join');
  setStatus('idle');
  if (error) showError(error);
  else clearError();
  ui.name.focus();
}

// ---- server messages ----

/** @param {Session} s @param {ServerMessages['chat.roster']} data */
function onRoster(s, { users }) {
  s.users = new Set((Array.isArray(users) ? users : []).map(String));
  s.users.add(s.name);
  // Back in the room after a loss (the roster comes before the room's joined notice and its messages); a
  // connection that opens and is then refused as taken is not.
  if (s.joined) addNotice('Reconnected');
  s.retryUntil = 0;
  s.retryDelayMs = 250;
  s.joined = true;
  clearError();
  if (s.target && !s.users.has(s.target)) s.target = null;
  renderRoster(s);
  renderTarget(s);
}

/** @param {Session} s @param {ServerMessages['chat.joined']} data @param {number} [offset] */
function onJoined(s, { user }, offset) {
  if (!user || s.users.has(String(user))) return;
  s.users.add(String(user));
  renderRoster(s);
  addNotice(`${user} joined`, offset);
}

/** @param {Session} s @param {ServerMessages['chat.left']} data @param {number} [offset] */
function onLeft(s, { user }, offset) {
  if (!user || !s.users.delete(String(user))) return;
  if (s.target === String(user)) s.target = null;
  renderRoster(s);
  renderTarget(s);
  addNotice(`${user} left`, offset);
}

/**
 * The room's joined notice, before its messages. `false` after a reconnect: the history no longer covers what this
 * page showed, so its room messages go and the room's last ones follow. `true`: the missed ones follow the shown ones.
 */
/** @param {Session} s @param {boolean | null} recovered */
function onRoomJoined(s, recovered) {
  if (recovered !== false) return;
  ui.messages.querySelectorAll('li:not([data-kind=direct])').forEach((item) => item.remove());
  s.older.reset();
  addNotice('Messages were missed while disconnected; showing the latest');
}

/** @param {Session} s @param {ServerMessages['chat.message']} data @param {number} [offset] */
function onMessage(s, { sender, text, sentAt }, offset) {
  addMessage(s, { kind: 'message', sender, text, sentAt, offset });
}

/** @param {Session} s @param {ServerMessages['chat.announcement']} data @param {number} [offset] */
function onAnnouncement(s, { text, sentAt }, offset) {
  addMessage(s, { kind: 'announcement', sender: 'Announcement', text, sentAt, offset });
}

/** @param {Session} s @param {ServerMessages['chat.direct']} data */
function onDirect(s, { from, to, text, sentAt }) {
  addMessage(s, { kind: 'direct', sender: from, to, text, sentAt });
}

/** @param {Session} s @param {ServerMessages['chat.error']} data */
function onChatError(s, { reason }) {
  const message = reason ? String(reason) : 'The server reported an error.';
  // Refused before ever joining (name taken or invalid): the server closes with 1008 next, which
  // the client takes as final; the page says so now and stops taking messages.
  if (!s.joined) refused(s, message);
  else if (!isTaken(message)) showError(message);
}

/** The server refused this session for good: the page says why and the composer stays disabled. */
/** @param {Session} s @param {string} reason */
function refused(s, reason) {
  s.refused = true;
  setComposerEnabled(false);
  ui.leave.textContent = 'Back';
  setStatus('closed', 'Not joined');
  showError(`Could not join: ${reason}`);
}

/** @param {Session} s @param {ConnectionStateName} state @param {StateDetail} detail */
function onState(s, state, detail) {
  if (state === 'reconnecting') {
    setStatus(state, `Reconnecting… (attempt ${detail.attempt})`);
    if (s.opened && detail.attempt === 1) addNotice('Connection lost; reconnecting…');
    return;
  }
  if (state === 'open' && detail.transport) {
    setStatus(state, `${STATUS_TEXT.open} (${TRANSPORT_TEXT[detail.transport] ?? detail.transport})`, detail.transport);
  } else {
    setStatus(state);
  }
  if (state === 'open') {
    s.opened = true;
  } else if (state === 'closed' && !detail.byClient) {
    if (s.joined && detail.code === 1008 && isTaken(detail.reason) && retryTaken(s)) return;
    const why = detail.reason ? `: ${detail.reason}` : '';
    if (!s.joined) {
      // Final before joining: a refusal (name taken, not allowed) or a server that could not be
      // reached in maxConnectAttempts attempts. No reconnecting; the composer stays disabled.
      if (!s.refused) refused(s, detail.reason || (detail.refused ? 'the server refused the connection' : 'the server cannot be reached'));
      else setStatus('closed', 'Not joined');
      return;
    }
    setComposerEnabled(false);
    ui.leave.textContent = 'Back';
    showError(`Disconnected from the server${why}.`);
  }
}

/** The room's refusal of a name in use. */
/** @param {unknown} reason */
function isTaken(reason) {
  return String(reason ?? '').endsWith(' is taken');
}

/**
 * A reconnect refused because the name is still held by the lost connection: a new client from this one's positions
 * after a growing pause, until TAKEN_RETRY_MS has passed since the first refusal. False when that time is over.
 */
/** @param {Session} s */
function retryTaken(s) {
  const now = Date.now();
  if (s.retryUntil === 0) s.retryUntil = now + TAKEN_RETRY_MS;
  if (now >= s.retryUntil) return false;
  const positions = /** @type {ChatClient} */ (s.client).positions();
  const delay = s.retryDelayMs;
  s.retryDelayMs = Math.min(s.retryDelayMs * 2, 4000);
  setStatus('reconnecting', 'Reconnecting… (the name is still held by the lost connection)');
  s.client = null;
  setTimeout(() => {
    if (session === s) connect(s, positions);
  }, delay);
  return true;
}

// ---- older history ----

/** A history entry as the page shows it live. */
/** @param {Session} s @param {HistoryEntry} entry */
function historyItem(s, { offset, type, user, text, sentAt }) {
  switch (type) {
    case 'chat.message': return messageItem(s, { kind: 'message', sender: user, text, sentAt, offset });
    case 'chat.announcement': return messageItem(s, { kind: 'announcement', sender: 'Announcement', text, sentAt, offset });
    case 'chat.joined': return noticeItem(`${user} joined`, offset);
    case 'chat.left': return noticeItem(`${user} left`, offset);
    default: return null;
  }
}

// ---- rendering ----

/** @param {Session} s */
function renderRoster(s) {
  const users = [...s.users].sort((a, b) => a.localeCompare(b));
  ui.roster.replaceChildren(...users.map((user) => {
    const item = el('li', 'roster-item');
    item.dataset.user = user;
    item.dataset.testid = 'roster-user';
    if (user === s.name) {
      item.dataset.self = 'true';
      item.append(el('span', 'roster-name', user), el('span', 'you', '(you)'));
      return item;
    }
    const button = el('button', 'roster-name', user);
    button.type = 'button';
    button.setAttribute('aria-pressed', String(user === s.target));
    button.title = `Direct message to ${user}`;
    button.addEventListener('click', () => {
      s.target = s.target === user ? null : user;
      renderRoster(s);
      renderTarget(s);
      ui.input.focus();
    });
    if (user === s.target) item.dataset.selected = 'true';
    item.append(button);
    return item;
  }));
  ui.rosterCount.textContent = `(${users.length})`;
}

/** @param {Session} s */
function renderTarget(s) {
  ui.target.dataset.target = s.target ?? '';
  ui.target.textContent = s.target ? `Direct message to ${s.target}` : 'To everyone';
  ui.targetClear.hidden = !s.target;
  ui.input.placeholder = s.target ? `Message ${s.target} privately` : 'Write a message to everyone';
  ui.composer.classList.toggle('direct', Boolean(s.target));
}

/** @param {string | null | undefined} sentAt */
function formatTime(sentAt) {
  const time = el('time', 'time');
  const date = new Date(sentAt ?? NaN);
  if (sentAt && !Number.isNaN(date.getTime())) {
    time.dateTime = String(sentAt);
    time.textContent = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    time.title = date.toLocaleString();
  }
  return time;
}

/** @param {Session} s @param {ShownMessage} message */
function addMessage(s, message) {
  append(messageItem(s, message));
}

/** @param {Session} s @param {ShownMessage} message */
function messageItem(s, { kind, sender, to, text, sentAt, offset }) {
  sender = String(sender ?? '');
  const item = el('li', `message ${kind}`);
  item.dataset.testid = 'message';
  item.dataset.kind = kind;
  if (offset !== undefined) item.dataset.offset = String(offset);
  item.dataset.sender = sender;
  if (sender === s.name) item.classList.add('mine');
  const meta = el('p', 'meta');
  meta.append(el('span', 'sender', sender));
  if (kind === 'direct') {
    item.dataset.to = String(to ?? '');
    meta.append(el('span', 'arrow', ' → '), el('span', 'recipient', String(to ?? '')), el('span', 'badge', 'direct'));
  }
  meta.append(formatTime(sentAt));
  const body = el('p', 'text', String(text ?? ''));
  body.dataset.testid = 'message-text';
  item.append(meta, body);
  return item;
}

/** @param {string} text @param {number} [offset] */
function addNotice(text, offset) {
  append(noticeItem(text, offset));
}

/** @param {string} text @param {number} [offset] */
function noticeItem(text, offset) {
  const item = el('li', 'notice', text);
  item.dataset.testid = 'notice';
  item.dataset.kind = 'notice';
  if (offset !== undefined) item.dataset.offset = String(offset);
  return item;
}

/** @param {HTMLElement} item */
function append(item) {
  const log = ui.log;
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 48;
  ui.messages.append(item);
  let trimmed = false;
  while (ui.messages.childElementCount > MAX_RENDERED) {
    const oldest = /** @type {HTMLElement} */ (ui.messages.firstElementChild);
    trimmed ||= oldest.dataset.offset !== undefined;
    oldest.remove();
  }
  // The oldest room messages went: the next older page starts from the oldest one left.
  if (trimmed && session) {
    const first = /** @type {HTMLElement | null} */ (ui.messages.querySelector('li[data-offset]'));
    session.older.trimmed(first ? Number(first.dataset.offset) : null);
  }
  if (atBottom) log.scrollTop = log.scrollHeight;
}

function updateCounter() {
  const length = ui.input.value.trim().length;
  const over = length > MAX_MESSAGE_LENGTH;
  ui.counter.textContent = `${length} / ${MAX_MESSAGE_LENGTH}`;
  ui.counter.classList.toggle('over', over);
  ui.input.setAttribute('aria-invalid', String(over));
}

// ---- user input ----

ui.joinForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const name = ui.name.value.trim();
  if (!NAME_PATTERN.test(name)) {
    ui.name.setAttribute('aria-invalid', 'true');
    showError(name
      ? 'A name is 1 to 32 letters, digits, “_” or “-”.'
      : 'Enter a name to join.');
    ui.name.focus();
    return;
  }
  ui.name.removeAttribute('aria-invalid');
  join(name);
});

ui.composer.addEventListener('submit', (event) => {
  event.preventDefault();
  const s = session;
  if (!s) return;
  const text = ui.input.value.trim();
  if (!text) return;
  if (text.length > MAX_MESSAGE_LENGTH) {
    showError(`A message is at most ${MAX_MESSAGE_LENGTH} characters; this one has ${text.length}.`, 'composer');
    return;
  }
  if (!s.client) {
    showError('Message not sent: reconnecting', 'composer');
    return;
  }
  try {
    if (s.target) s.client.send('chat.direct', { to: s.target, text });
    else s.client.send('chat.send', { text });
  } catch (error) {
    showError(`Message not sent: ${/** @type {Error} */ (error).message}`, 'composer');
    return;
  }
  if (errorSource === 'composer') clearError();
  ui.input.value = '';
  updateCounter();
  ui.input.focus();
});

ui.input.addEventListener('input', updateCounter);
ui.input.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && session?.target) {
    session.target = null;
    renderRoster(session);
    renderTarget(session);
  }
});

ui.targetClear.addEventListener('click', () => {
  if (!session) return;
  session.target = null;
  renderRoster(session);
  renderTarget(session);
  ui.input.focus();
});

ui.leave.addEventListener('click', () => leave());
ui.olderButton.addEventListener('click', () => {
  if (session?.client) session.older.load();
});

updateCounter();
ui.name.focus();
