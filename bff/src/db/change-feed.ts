import pg from 'pg';

/**
 * A LISTEN channel on the database: the payloads NOTIFY sends, and whether they can be trusted to
 * arrive. While `live` is false (not yet connected, or the connection dropped) changes may be missed,
 * so whatever relies on the feed must not trust what it remembered; `onLive` and `onLost` say when
 * that changes.
 */
export interface ChangeFeed {
  readonly live: boolean;
  close(): Promise<void>;
}

export interface ChangeFeedHandlers {
  onMessage(payload: string): void;
  /** The feed went down: changes from now until it is live again may be missed. */
  onLost(): void;
  /** The feed is (again) live: changes from now on arrive. */
  onLive?(): void;
}

/** Ends a listener connection we are done with; its late errors are no longer news. */
function dispose(client: pg.Client): Promise<void> {
  client.removeAllListeners();
  client.on('error', () => undefined);
  return client.end().catch(() => undefined);
}

/** Reconnect delays after a lost listener connection; the last repeats. */
const RECONNECT_DELAYS_MS = [250, 1000, 5000, 15_000];

/**
 * The PostgreSQL server's feed: one dedicated connection (LISTEN needs a session; a pooled client
 * would be handed to queries), reconnected with backoff when it drops.
 */
export async function listenOnServer(url: string, channel: string, handlers: ChangeFeedHandlers): Promise<ChangeFeed> {
  let client: pg.Client | null = null;
  let live = false;
  let closed = false;
  let attempt = 0;
  let timer: NodeJS.Timeout | null = null;

  const lost = () => {
    if (!live && !client) return;
    live = false;
    if (client) dispose(client);
    client = null;
    handlers.onLost();
    schedule();
  };
  const schedule = () => {
    if (closed || timer) return;
    const delay = RECONNECT_DELAYS_MS[Math.min(attempt, RECONNECT_DELAYS_MS.length - 1)];
    attempt += 1;
    timer = setTimeout(() => {
      timer = null;
      void connect();
    }, delay);
    timer.unref();
  };
  const connect = async () => {
    const next = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    next.on('error', lost);
    next.on('end', lost);
    next.on('notification', (message) => {
      if (message.channel === channel && message.payload) handlers.onMessage(message.payload);
    });
    try {
      client = next;
      await next.connect();
      await next.query(`listen ${pg.escapeIdentifier(channel)}`);
      if (closed) return dispose(next);
      live = true;
      attempt = 0;
      handlers.onLive?.();
    } catch {
      lost();
    }
  };

  await connect();
  return {
    get live() {
      return live;
    },
    async close() {
      closed = true;
      live = false;
      if (timer) clearTimeout(timer);
      if (client) await dispose(client);
      client = null;
    },
  };
}
