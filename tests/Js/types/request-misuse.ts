// Must not compile: request() takes its timeout in an options object, and its reply's data is typed.
import { SwitchboardClient } from 'switchboard-client';

const client = new SwitchboardClient('ws://127.0.0.1:1/ws/alice');
void client.request('chat.history', {}, 5000);
void client.request<{ messages: string[] }>('chat.history', {}).then((reply) => reply.data.messags);
