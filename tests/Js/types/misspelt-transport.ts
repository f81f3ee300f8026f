// Must not compile: "longpoling" is not a transport.
import { SwitchboardClient } from 'switchboard-client';

new SwitchboardClient('ws://127.0.0.1:1/ws/alice', { transport: 'longpoling' });
