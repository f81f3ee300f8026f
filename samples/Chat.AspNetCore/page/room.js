// The room page of samples/Chat.AspNetCore: sign in (a cookie), then chat at /ws, which takes the name from the
// cookie. Every piece of text from a user or the server goes into the page with textContent, never parsed as HTML.
//
// Wire contract: as samples/Chat (chat.send, chat.roster, chat.joined, chat.left, chat.message, chat.error), plus
// `chat.announcement {text, sentAt}` from POST /announce.
// `?transport=longpolling` (or `websocket`, or `auto`, the default) in the page URL forces the client's transport.

import { SwitchboardClient } from './switchboard.js';

const $ = (id) => document.getElementById(id);
const ui = {
  me: $('me'), status: $('status'), signout: $('signout'), error: $('error'),
  signinView: $('signin-view'), signinForm: $('signin-form'), name: $('name'),
  chatView: $('chat-view'), roster: $('roster'), rosterCount: $('roster-count'),
  log: $('log'), messages: $('messages'), composer: $('composer'), input: $('message-input'), send: $('send'),
};

const TRANSPORT_TEXT = { websocket: 'WebSocket', longpolling: 'long polling' };

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function showError(message) {
  ui.error.textContent = message;
  ui.error.hidden = !message;
}

function setStatus(state, text, transport = '') {
  ui.status.dataset.state = state;
  ui.status.dataset.transport = transport;
  ui.status.textContent = text;
}

function transportOption() {
  const transport = new URLSearchParams(location.search).get('transport');
  return ['auto', 'websocket', 'longpolling'].includes(transport) ? { transport } : {};
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

function enter(name) {
  showError('');
  ui.signinView.hidden = true;
  ui.chatView.hidden = false;
  ui.signout.hidden = false;
  ui.me.hidden = false;
  ui.me.replaceChildren('You are ', el('strong', '', name));
  setStatus('connecting', 'Connecting…');

  const users = new Set();
  let joined = false;
  // No name in the address: the server takes it from the sign-in cookie.
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const client = new SwitchboardClient(`${scheme}//${location.host}/ws`, transportOption());
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
  client.on('chat.joined', ({ user }) => {
    users.add(String(user));
    renderRoster();
    addNotice(`${user} joined`);
  });
  client.on('chat.left', ({ user }) => {
    users.delete(String(user));
    renderRoster();
    addNotice(`${user} left`);
  });
  client.on('chat.message', ({ sender, text, sentAt }) => addMessage('message', String(sender), text, sentAt, sender === name));
  client.on('chat.announcement', ({ text, sentAt }) => addMessage('announcement', 'announcement', text, sentAt, false));
  client.on('chat.error', ({ reason }) => showError(joined ? String(reason) : `Could not join: ${reason}`));
  client.onState((state, detail) => {
    if (state === 'open') {
      setStatus(state, `Connected (${TRANSPORT_TEXT[detail.transport] ?? detail.transport})`, detail.transport);
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

function addMessage(kind, sender, text, sentAt, mine) {
  const item = el('li', `message ${kind === 'announcement' ? 'notice' : ''}${mine ? ' mine' : ''}`);
  item.dataset.testid = 'message';
  item.dataset.kind = kind;
  item.dataset.sender = sender;
  const meta = el('p', 'meta');
  meta.append(el('span', 'sender', sender));
  const time = el('time', 'time');
  const date = new Date(sentAt);
  if (!Number.isNaN(date.getTime())) {
    time.dateTime = String(sentAt);
    time.textContent = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }
  meta.append(time);
  const body = el('p', 'text', String(text ?? ''));
  body.dataset.testid = 'message-text';
  item.append(meta, body);
  append(item);
}

function addNotice(text) {
  const item = el('li', 'notice', text);
  item.dataset.testid = 'notice';
  append(item);
}

function append(item) {
  const atBottom = ui.log.scrollHeight - ui.log.scrollTop - ui.log.clientHeight < 48;
  ui.messages.append(item);
  if (atBottom) ui.log.scrollTop = ui.log.scrollHeight;
}

// ---- start: the room when the cookie names someone, the sign-in form otherwise ----

const me = await fetch('/me');
if (me.ok) enter((await me.json()).name);
else showSignIn();
