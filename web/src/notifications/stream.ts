/**
 * The unread count, pushed: a server-sent event stream (`GET /v1/me/notifications/stream`) tells the
 * badge within a second of a like, a comment or a mention, with no poll.
 *
 * `EventSource` cannot send the bearer token, and an access token never goes in a URL, so each
 * stream opens with a ticket asked for just before (good once, for seconds). The browser's own
 * reconnect would reuse a spent ticket, so on any error the stream is closed here and opened again
 * with a new ticket, after a wait that grows (with jitter, so a restarted server is not met by every
 * client at once). While it is down, the count is polled as before. The server's `end` event (the
 * session ended) stops it until someone signs in again.
 */

import { request } from "../api";
import type { Schemas } from "../schemas";

const POLL_MS = 3000;
const RETRY_FIRST_MS = 1000;
const RETRY_MOST_MS = 30_000;

export type StreamTicket = Schemas["StreamTicket"];

/** An `unread` event's data. The document types the stream only as text (its events are described
 * in words), so this shape is the client's reading of that description. */
interface UnreadEvent {
  unread: number;
}

export interface UnreadFeed {
  /** Each count, pushed or polled. */
  onCount(unread: number): void;
  /** One poll of the count (the fallback). */
  poll(): Promise<void>;
}

export class LiveUnread {
  private source: EventSource | null = null;
  private retryTimer: number | null = null;
  private pollTimer: number | null = null;
  private retryMs = RETRY_FIRST_MS;
  private running = false;

  constructor(private readonly feed: UnreadFeed) {}

  /** Whether counts are being pushed now (so a poll would tell nothing new). */
  get live(): boolean {
    return this.source?.readyState === EventSource.OPEN;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.connect();
  }

  stop(): void {
    this.running = false;
    this.closeSource();
    this.stopPolling();
    if (this.retryTimer !== null) window.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.retryMs = RETRY_FIRST_MS;
  }

  private async connect(): Promise<void> {
    this.retryTimer = null;
    let ticket: string;
    try {
      ({ ticket } = await request<StreamTicket>("POST", "/v1/me/notifications/stream-ticket"));
    } catch {
      this.down();
      return;
    }
    if (!this.running) return;
    const source = new EventSource(`/v1/me/notifications/stream?ticket=${encodeURIComponent(ticket)}`);
    this.source = source;
    source.addEventListener("open", () => {
      this.retryMs = RETRY_FIRST_MS;
      this.stopPolling();
    });
    source.addEventListener("unread", (event) => {
      const unread = (JSON.parse((event as MessageEvent<string>).data) as UnreadEvent).unread;
      this.feed.onCount(unread);
    });
    source.addEventListener("end", () => {
      // The session ended: nothing more will come, and polling would be refused too.
      this.closeSource();
      this.running = false;
    });
    source.addEventListener("error", () => {
      if (this.source === source) this.down();
    });
  }

  /** The stream failed or ended: poll meanwhile, and try again a little later each time. */
  private down(): void {
    this.closeSource();
    if (!this.running) return;
    this.startPolling();
    const wait = this.retryMs * (0.5 + Math.random());
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MOST_MS);
    this.retryTimer = window.setTimeout(() => void this.connect(), wait);
  }

  private closeSource(): void {
    this.source?.close();
    this.source = null;
  }

  private startPolling(): void {
    if (this.pollTimer !== null) return;
    void this.feed.poll();
    this.pollTimer = window.setInterval(() => void this.feed.poll(), POLL_MS);
  }

  private stopPolling(): void {
    if (this.pollTimer !== null) window.clearInterval(this.pollTimer);
    this.pollTimer = null;
  }
}
