// The room page of samples/Chat.AspNetCore: sign in (a cookie), then chat at /ws, which takes the name from the
// cookie. Every piece of text from a user or the server goes into the page with textContent, never parsed as HTML.
//
// Wire contract: as samples/Chat (chat.send, chat.roster, chat.joined, chat.left, chat.message, chat.error), plus
// `chat.announcement {text, sentAt}` from POST /announce; the request `chat.history {before, limit}`, answered with
// `chat.history.page {entries, more}` or `chat.history.refused {reason}`, which "Load older messages" sends (older.js,
// samples/Chat's, copied beside this page by the project).
// `?transport=longpolling` (or `websocket`, or `auto`, the default) in the page URL forces the client's transport.

//
// Types (checked by tests/Contract.Tests with tsc --checkJs; the browser runs this file as it is): the client package's
// switchboard.d.ts and the message types of samples/Chat's contract (Chat.messages.ts), whose room this sample serves.
// The client is seen as ChatClient, so message types and data fields are checked.
// @ts-check

import { SwitchboardClient } from './switchboard.js';
import { OlderHistory } from './older.js';

/**
 * @typedef {import('./Chat.messages.js').ServerMessages} ServerMessages
 * @typedef {import('./Chat.messages.js').TypedClient<SwitchboardClient>} TypedChat
 * @typedef {import('./switchboard.js').TransportName} TransportName
 */
/**
 * The client with send, request and on keyed by wire name and typed by the message's data.
 * @typedef {Omit<SwitchboardClient, 'send' | 'on' | 'request'> & Pick<TypedChat, 'send' | 'request'> & {
 *   on<K extends keyof ServerMessages>(type: K, handler: (data: ServerMessages[K], envelope: import('./switchboard.js').Envelope<ServerMessages[K]>) => void): import('./switchboard.js').Unsubscribe
 * }} ChatClient
 */

/**
 * The element with `id`, of the kind index.html has there.
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} id
 * @returns {T}
 */
const $ = (id) => /** @type {T} */ (document.getElementById(id));
const ui = {
  me: $('me'), status: $('status'), signout: $('signout'), error: $('error'),
  signinView: $('signin-view'), signinForm: $('signin-form'), name: /** @type {HTMLInputElement} */ ($('name')),
  chatView: $('chat-view'), roster: $('roster'), rosterCount: $('roster-count'),
  log: $('log'), messages: $('messages'), composer: $('composer'), input: /** @type {HTMLInputElement} */ ($('message-input')),
  send: /** @type {HTMLButtonElement} */ ($('send')),
  older: $('older'), olderButton: /** @type {HTMLButtonElement} */ ($('older-button')), olderStatus: $('older-status'),
};

/** @type {Record<string, string>} */
const TRANSPORT_TEXT = { websocket: 'WebSocket', longpolling: 'long polling' };

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

/** @param {string} message */
function showError(message) {
  ui.error.textContent = message;
  ui.error.hidden = !message;
}

/** @param {string} state @param {string} text @param {string} [transport] */
function setStatus(state, text, transport = '') {
  ui.status.dataset.state = state;
  ui.status.dataset.transport = transport;
  ui.status.textContent = text;
}

/** @returns {{ transport?: TransportName }} */
function transportOption() {
  const transport = new URLSearchParams(location.search).get('transport');
  return transport === 'auto' || transport === 'websocket' || transport === 'longpolling' ? { transport } : {};
}

// ---- signing in ----

function showSignIn() {
  ui.signinView.hidden = false;
  ui.chatView.hidden = true;
  ui.name.focus();
}

ui.signinForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const name = ui.name.value.trim();
  const response = await fetch('/signin', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    showError(`Could not sign in: ${problem.detail ?? `HTTP ${response.status}`}`);
    return;
  }
  enter(name);
});

// ---- the room ----

/** @param {string} name */
function enter(name) {
  showError('');
  ui.signinView.hidden = true;
  ui.chatView.hidden = false;
  ui.signout.hidden = false;
  ui.me.hidden = false;
  ui.me.replaceChildren('You are ', el('strong', '', name));
  setStatus('connecting', 'Connecting…');

  /** @type {Set<string>} */
  const users = new Set();
  let joined = false;
  // No name in the address: the server takes it from the sign-in cookie.
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  // The server serializes what it sends from the contract's records; the types say so.
  const client = /** @type {ChatClient} */ (/** @type {unknown} */ (new SwitchboardClient(`${scheme}//${location.host}/ws`, transportOption())));
  const renderRoster = () => {
    const sorted = [...users].sort((a, b) => a.localeCompare(b));
    ui.roster.replaceChildren(...sorted.map((user) => {
      const item = el('li', 'roster-item');
      item.dataset.testid = 'roster-user';
      item.dataset.user = user;
      item.append(el('span', 'roster-name', user));
      if (user === name) {
        item.dataset.self = 'true';
        item.append(el('span', 'you', '(you)'));
      }
      return item;
    }));
    ui.rosterCount.textContent = `(${sorted.length})`;
  };

  client.on('chat.roster', ({ users: list }) => {
    users.clear();
    for (const user of list ?? []) users.add(String(user));
    joined = true;
    renderRoster();
  });
  const older = new OlderHistory(
    { older: ui.older, button: ui.olderButton, status: ui.olderStatus, log: ui.log, messages: ui.messages },
    (data, options) => client.request('chat.history', data, options),
    ({ offset, type, user, text, sentAt }) => {
      switch (type) {
        case 'chat.message': return messageItem('message', String(user), text, sentAt, user === name, offset);
        case 'chat.announcement': return messageItem('announcement', 'announcement', text, sentAt, false, offset);
        case 'chat.joined': return noticeItem(`${user} joined`, offset);
        case 'chat.left': return noticeItem(`${user} left`, offset);
        default: return null;
      }
    });
  /**
   * A handler of a room message, told its offset.
   * @template T
   * @param {(data: T, offset: number | undefined) => void} handler
   * @returns {(data: T, envelope: import('./switchboard.js').Envelope<T>) => void}
   */
  const room = (handler) => (data, envelope) => {
    const offset = envelope?.group === 'room' ? envelope.offset : undefined;
    handler(/** @type {T} */ (data ?? {}), offset);
    if (offset !== undefined) older.seen(offset);
  };
  ui.olderButton.addEventListener('click', () => older.load());

  client.on('chat.joined', room(({ user }, offset) => {
    users.add(String(user));
    renderRoster();
    addNotice(`${user} joined`, offset);
  }));
  client.on('chat.left', room(({ user }, offset) => {
    users.delete(String(user));
    renderRoster();
    addNotice(`${user} left`, offset);
  }));
  client.on('chat.message', room(({ sender, text, sentAt }, offset) => addMessage('message', String(sender), text, sentAt, sender === name, offset)));
  client.on('chat.announcement', room(({ text, sentAt }, offset) => addMessage('announcement', 'announcement', text, sentAt, false, offset)));
  client.on('chat.error', ({ reason }) => showError(joined ? String(reason) : `Could not join: ${reason}`));
  client.onState((state, detail) => {
    if (state === 'open') {
      const transport = detail.transport ?? '';
      setStatus(state, `Connected (${TRANSPORT_TEXT[transport] ?? transport})`, transport);
    } else if (state === 'closed') {
      setStatus(state, joined ? 'Disconnected' : 'Not joined');
      ui.input.disabled = ui.send.disabled = true;
      // Before joining a close is a refusal (the name is in the room already, or the cookie is gone): say so.
      if (!joined && ui.error.hidden) showError(`Could not join: ${detail.reason || 'the server refused the connection'}`);
    } else {
      setStatus(state, state === 'reconnecting' ? 'Reconnecting…' : 'Connecting…');
    }
  });
  client.onError((error) => console.warn(error.message));
  // After a reconnect the room's joined notice says whether the messages shown are still the room's: with
  // `recovered: false` the history no longer covers the gap, so they go and the room's last ones follow; with true
  // the missed ones follow those shown (docs/protocol.md, "History and recovery").
  client.onJoined((group, epoch, offset, recovered) => {
    if (group !== 'room' || recovered !== false) return;
    ui.messages.replaceChildren();
    older.reset();
    addNotice('Messages were missed while disconnected; showing the latest');
  });

  ui.composer.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = ui.input.value.trim();
    if (!text) return;
    client.send('chat.send', { text });
    ui.input.value = '';
  });
  ui.input.focus();
}

/**
 * @param {string} kind
 * @param {string} sender
 * @param {string | null | undefined} text
 * @param {string | null | undefined} sentAt
 * @param {boolean} mine
 * @param {number} [offset]
 */
function addMessage(kind, sender, text, sentAt, mine, offset) {
  append(messageItem(kind, sender, text, sentAt, mine, offset));
}

/**
 * @param {string} kind
 * @param {string} sender
 * @param {string | null | undefined} text
 * @param {string | null | undefined} sentAt
 * @param {boolean} mine
 * @param {number} [offset]
 */
function messageItem(kind, sender, text, sentAt, mine, offset) {
  const item = el('li', `message ${kind === 'announcement' ? 'notice' : ''}${mine ? ' mine' : ''}`);
  item.dataset.testid = 'message';
  item.dataset.kind = kind;
  item.dataset.sender = sender;
  if (offset !== undefined) item.dataset.offset = String(offset);
  const meta = el('p', 'meta');
  meta.append(el('span', 'sender', sender));
  const time = el('time', 'time');
  // No time (a history entry may have none) shows none.
  const date = new Date(sentAt ?? NaN);
  if (!Number.isNaN(date.getTime())) {
    time.dateTime = String(sentAt);
    time.textContent = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }
  meta.append(time);
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
  if (offset !== undefined) item.dataset.offset = String(offset);
  return item;
}

/** @param {HTMLElement} item */
function append(item) {
  const atBottom = ui.log.scrollHeight - ui.log.scrollTop - ui.log.clientHeight < 48;
  ui.messages.append(item);
  if (atBottom) ui.log.scrollTop = ui.log.scrollHeight;
}

// ---- start: the room when the cookie names someone, the sign-in form otherwise ----

const me = await fetch('/me');
if (me.ok) enter((await me.json()).name);
else showSignIn();
