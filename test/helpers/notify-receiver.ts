import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What our notify endpoint answers: status, optional JSON body. */
export interface ReceiverAnswer {
  status: number;
  body?: string;
}

export interface ReceivedNotification {
  headers: Record<string, string | undefined>;
  body: string;
  answered: ReceiverAnswer;
}

/**
 * A tiny stand-in for our POST /payments/wechat/notify: records what WeChat Pay (the fake) sent and
 * answers with `handle` (default 204). Tests swap `handle` to refuse, crash or parse.
 */
export interface NotifyReceiver {
  url: string;
  received: ReceivedNotification[];
  handle: (headers: Record<string, string | undefined>, body: string) => ReceiverAnswer;
  close(): Promise<void>;
}

const flat = (h: IncomingHttpHeaders): Record<string, string | undefined> =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));

export async function startNotifyReceiver(): Promise<NotifyReceiver> {
  const receiver: NotifyReceiver = {
    url: '',
    received: [],
    handle: () => ({ status: 204 }),
    close: async () => {},
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = flat(req.headers);
      const body = Buffer.concat(chunks).toString('utf8');
      let answered: ReceiverAnswer;
      try {
        answered = receiver.handle(headers, body);
      } catch (err) {
        answered = { status: 500, body: JSON.stringify({ code: 'FAIL', message: err instanceof Error ? err.message : 'error' }) };
      }
      receiver.received.push({ headers, body, answered });
      res.writeHead(answered.status, answered.body === undefined ? {} : { 'content-type': 'application/json' });
      res.end(answered.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/payments/wechat/notify`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}
