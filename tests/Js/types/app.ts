// Uses the whole public API of switchboard-client as an app would; compiled under --strict by package.test.mjs.
import {
  ConnectionState,
  DEFAULT_OPTIONS,
  MAX_RECOVER,
  SwitchboardClient,
  SwitchboardError,
  SwitchboardRequestError,
  autoTransport,
  decodeEnvelope,
  encodeEnvelope,
  httpUrl,
  isRefusal,
  isRetryableClose,
  longPollingTransport,
  webSocketTransport,
  type ConnectionStateName,
  type Positions,
  type Reply,
  type SwitchboardClientOptions,
  type TransportFactory,
} from 'switchboard-client';

interface ChatMessage {
  sender: string;
  text: string;
}

interface History {
  messages: ChatMessage[];
}

const options: SwitchboardClientOptions = {
  transport: 'longpolling',
  maxQueued: 50,
  requestTimeoutMs: 10_000,
  credentials: 'include',
  positions: { lobby: { epoch: 'e1', offset: 3 } },
  shouldReconnect: (code, reason) => isRetryableClose(code) && reason !== 'bye',
};
const client = new SwitchboardClient('wss://example.org/ws/alice', options);
const auto = new SwitchboardClient(new URL('ws://127.0.0.1:1/ws/bob'), { createTransport: autoTransport() });
const custom: TransportFactory = (url, o) => (url.startsWith('ws') ? webSocketTransport(url, o) : longPollingTransport(url, o));
new SwitchboardClient('ws://127.0.0.1:1/ws/carol', { createTransport: custom, transport: 'websocket' });

const off = client.on<ChatMessage>('chat.message', (data, envelope) => {
  const sender: string = data.sender;
  const group: string | undefined = envelope.group;
  const offset: number | undefined = envelope.offset;
  console.log(sender, group, offset);
});
off();
client.onState((state: ConnectionStateName, detail) => {
  if (state === ConnectionState.Closed && detail.refused) console.log(detail.code, detail.reason, detail.status);
  if (state === 'reconnecting') console.log(detail.attempt, detail.delayMs);
});
client.onJoined((group, epoch, offset, recovered) => {
  if (recovered === false) console.log(group, epoch, offset);
});
client.onError((error: SwitchboardError) => console.warn(error.kind, error.message, error.type));
const sent: boolean = client.send('chat.send', { text: 'hi' });
const saved: Positions = client.positions();
console.log(sent, saved, client.state, client.transport, client.queued, client.pendingRequests, client.url);

async function loadHistory(signal: AbortSignal): Promise<ChatMessage[]> {
  try {
    const reply: Reply<History> = await client.request<History>('chat.history', { before: 10 }, { timeout: 5_000, signal });
    if (reply.type === 'chat.historyUnavailable') return [];
    return reply.data.messages;
  } catch (error) {
    if (error instanceof SwitchboardRequestError) {
      if (error.code === 'timeout' || error.code === 'disconnected' || error.code === 'too_many_requests') return [];
      console.warn(error.code, error.message, error.type, error.data, error.request);
    }
    throw error;
  }
}
void loadHistory(new AbortController().signal);

const text: string = encodeEnvelope('chat.send', { text: 'hi' }, 'r1');
const envelope = decodeEnvelope(text);
const base: URL = httpUrl('wss://example.org/ws');
const refused: boolean = isRefusal({ code: 4001 });
const most: number = MAX_RECOVER + DEFAULT_OPTIONS.maxQueued + DEFAULT_OPTIONS.requestTimeoutMs;
console.log(envelope.type, base.href, refused, most);
auto.close(1000, 'bye');
client.close();
