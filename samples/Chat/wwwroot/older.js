// "Load older messages", for both chat pages: samples/Chat's chat.js and samples/Chat.AspNetCore's room.js, whose
// project copies this file beside its page (as it does chat.css).
//
// Joining shows the room's last messages. The control asks with a chat.history request for the OLDER_PAGE messages
// before the oldest room offset the page has seen, and puts them above the others, keeping what is in view where it
// was; only entries older than that offset are shown, so nothing shows twice. A page whose `more` is false (or an
// oldest offset of 1) is the start of the room's history, and the control says so.

// @ts-check

/**
 * @typedef {import('./Chat.messages.js').HistoryEntry} HistoryEntry
 * @typedef {import('./Chat.messages.js').RequestData<'chat.history'>} HistoryRequest
 * @typedef {import('./Chat.messages.js').ReplyTo<'chat.history'>} HistoryReply
 */
/**
 * The parts of the page it uses: the control (#older with its button and status line) and the list of messages in its
 * scrolling log.
 * @typedef {{ older: HTMLElement, button: HTMLButtonElement, status: HTMLElement, log: HTMLElement, messages: HTMLElement }} OlderView
 */

/** How many older messages one "Load older messages" asks for (the server takes 1 to 100). */
export const OLDER_PAGE = 50;
/** How long a history request waits for its reply. */
const OLDER_TIMEOUT_MS = 15_000;

/** The older history of one stay in the room; the page makes a new one when it joins again. */
export class OlderHistory {
  /** @type {OlderView} */ #view;
  /** @type {(data: HistoryRequest, options: { timeout: number }) => Promise<HistoryReply>} */ #request;
  /** @type {(entry: HistoryEntry) => HTMLElement | null} */ #itemOf;
  /** The oldest room offset seen, where the next page ends; null before any. @type {number | null} */
  #oldest = null;
  #done = false;
  #loading = false;
  #error = '';
  /** Counts resets and the close: a reply that comes after one of them is stale. */
  #generation = 0;
  #closed = false;

  /**
   * @param {OlderView} view
   * @param {(data: HistoryRequest, options: { timeout: number }) => Promise<HistoryReply>} request Sends the request.
   * @param {(entry: HistoryEntry) => HTMLElement | null} itemOf The item of an entry as the page shows it live; null leaves it out.
   */
  constructor(view, request, itemOf) {
    this.#view = view;
    this.#request = request;
    this.#itemOf = itemOf;
    this.render();
  }

  /** A room message's offset, shown live or replayed. @param {number} offset */
  seen(offset) {
    if (this.#oldest !== null && offset >= this.#oldest) return;
    this.#oldest = offset;
    this.render();
  }

  /** The room's messages shown are gone (a reconnect that could not recover): pages start again from the replay. */
  reset() {
    this.#generation += 1;
    this.#oldest = null;
    this.#done = false;
    this.#loading = false;
    this.#error = '';
    this.render();
  }

  /** The list dropped its oldest room messages: the next page ends at the oldest one left (null when none is). @param {number | null} oldest */
  trimmed(oldest) {
    this.#oldest = oldest;
    this.#done = false;
    this.render();
  }

  /** The page left the room: a reply under way is dropped. */
  close() {
    this.#generation += 1;
    this.#closed = true;
  }

  /** Asks for the page before the oldest message seen and shows it; one request at a time. */
  async load() {
    if (this.#loading || this.#done || this.#closed) return;
    const generation = this.#generation;
    this.#loading = true;
    this.#error = '';
    this.render();
    /** @type {HistoryReply | { error: string }} */
    let reply;
    try {
      reply = await this.#request({ before: this.#oldest, limit: OLDER_PAGE }, { timeout: OLDER_TIMEOUT_MS });
    } catch (caught) {
      const error = /** @type {import('./switchboard.js').SwitchboardRequestError} */ (caught);
      reply = { error: error.code === 'timeout' ? 'no answer in time' : error.code === 'disconnected' ? 'not connected' : error.message };
    }
    if (this.#generation !== generation) return;
    this.#loading = false;
    if ('error' in reply) this.#error = reply.error;
    else if (reply.type === 'chat.history.refused') this.#error = String(reply.data?.reason ?? 'refused');
    else if (reply.type !== 'chat.history.page' || !Array.isArray(reply.data?.entries)) this.#error = `unexpected reply ${reply.type}`;
    else this.#show(reply.data.entries, reply.data.more === true);
    this.render();
  }

  /** Puts the entries older than the oldest shown above the list, oldest first. @param {HistoryEntry[]} entries @param {boolean} more */
  #show(entries, more) {
    const limit = this.#oldest ?? Number.POSITIVE_INFINITY;
    const older = entries.filter((e) => Number.isSafeInteger(e?.offset) && e.offset < limit).sort((a, b) => a.offset - b.offset);
    const items = older.map((entry) => this.#itemOf(entry)).filter((item) => item !== null);
    const { log, messages } = this.#view;
    const fromBottom = log.scrollHeight - log.scrollTop;
    messages.prepend(...items);
    log.scrollTop = log.scrollHeight - fromBottom;
    if (older.length > 0) this.#oldest = older[0].offset;
    if (!more) this.#done = true;
  }

  /** The control as the state says: the button, or why there is none. */
  render() {
    if (this.#closed) return;
    const { older, button, status, log } = this.#view;
    const done = this.#done || this.#oldest === 1;
    const state = this.#loading ? 'loading' : this.#error ? 'error' : done ? 'done' : 'idle';
    older.dataset.state = state;
    // Keyboard focus on the button stays in the list when the button goes.
    if (done && document.activeElement === button) log.focus();
    button.hidden = done;
    button.disabled = this.#loading;
    status.textContent = {
      loading: 'Loading older messages…',
      error: `Could not load older messages: ${this.#error}`,
      done: 'No older messages: this is the start of the room’s history.',
      idle: '',
    }[state];
  }
}
