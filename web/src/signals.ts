/**
 * Watch signals: what the viewer watched, for counters, trending and (later) recommendations.
 *
 * A `WatchSession` follows one slide while it is the active one: `view_start` when playback starts,
 * then `progress` (watch time actually played, not the position) on each completion and when the
 * slide is left, or a `skip` when it is left within 2 s. Signals are queued in memory and sent in
 * batches (every 10 s, or at 20) to POST /v1/activity; as the page hides, what is queued goes with
 * `fetch(..., {keepalive: true})` (sendBeacon cannot carry the bearer). The API refuses anonymous
 * signals, so nothing is recorded while signed out.
 *
 * A failed batch is kept and resent as it was (same signals, same Idempotency-Key): the store
 * recognises a resent batch as a whole, but refuses one that mixes stored and new signals.
 */

import { ApiError, request } from "./api";
import type { Schemas } from "./schemas";
import { currentSession, onSessionChange } from "./session";

export type Signal = Schemas["WatchBatch"]["signals"][number];

interface Batch {
  key: string;
  signals: Signal[];
  sending: boolean;
}

const FLUSH_EVERY_MS = 10_000;
const FLUSH_AT = 20;
const BATCH_MAX = 100; // keepalive bodies are capped at 64 KiB in total
const KEEP_MAX = 500;
export const SKIP_BELOW_MS = 2_000;

let open: Signal[] = [];
let batches: Batch[] = [];
let timer: number | null = null;
let flushing = false;

function newId(): string {
  return crypto.randomUUID().replaceAll("-", "");
}

function record(signal: Signal): void {
  if (!currentSession()) return;
  open.push(signal);
  bound();
  timer ??= window.setInterval(() => void flush(), FLUSH_EVERY_MS);
  if (open.length >= FLUSH_AT) void flush();
}

/** Keeps at most KEEP_MAX signals waiting, the oldest going first. */
function bound(): void {
  let total = open.length + batches.reduce((n, b) => n + b.signals.length, 0);
  while (total > KEEP_MAX) {
    const oldest = batches.find((b) => !b.sending);
    if (oldest) {
      batches = batches.filter((b) => b !== oldest);
      total -= oldest.signals.length;
    } else {
      open.shift();
      total -= 1;
    }
  }
}

function seal(): void {
  while (open.length) batches.push({ key: newId(), signals: open.splice(0, BATCH_MAX), sending: false });
}

/** A refusal that resending cannot fix (a malformed batch, a session gone): not kept. */
function permanent(error: unknown): boolean {
  return error instanceof ApiError && [400, 401, 403, 413, 422].includes(error.status);
}

async function send(batch: Batch, keepalive: boolean): Promise<void> {
  batch.sending = true;
  try {
    await request("POST", "/v1/activity", {
      body: { signals: batch.signals } satisfies Schemas["WatchBatch"],
      idempotencyKey: batch.key,
      keepalive,
    });
    batches = batches.filter((b) => b !== batch);
  } catch (error) {
    if (permanent(error)) batches = batches.filter((b) => b !== batch);
    throw error;
  } finally {
    batch.sending = false;
  }
}

/** Sends what is queued, oldest batch first; a failure keeps the rest for the next flush. */
export async function flush(): Promise<void> {
  if (flushing || !currentSession()) return;
  seal();
  if (!batches.length) return;
  flushing = true;
  try {
    for (const batch of [...batches]) {
      try {
        await send(batch, false);
      } catch (error) {
        if (!permanent(error)) break; // offline or overloaded: try again on the next flush
      }
    }
  } finally {
    flushing = false;
  }
}

/** The page is hiding: send everything now with requests that outlive it. */
function flushNow(): void {
  if (!currentSession()) return;
  seal();
  for (const batch of batches) {
    if (!batch.sending) send(batch, true).catch(() => undefined);
  }
}

onSessionChange((session) => {
  if (session) return;
  // Signed out: what was queued belongs to the previous viewer and can no longer be sent.
  open = [];
  batches = [];
});

/**
 * Sessions still open when the page hides are ended first (the feed pauses and starts a new one if
 * the page shows again), then everything is sent.
 */
const closers = new Set<() => void>();

function onHide(): void {
  for (const close of [...closers]) close();
  flushNow();
}

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") onHide();
});
window.addEventListener("pagehide", onHide);

/**
 * Follows one viewing of one video, from the slide becoming active to it being left (`end()`).
 * Watch time is the media time actually played: seeks are not counted, stalls add nothing.
 */
export class WatchSession {
  private started = false;
  private ended = false;
  private last: number | null = null;
  private watchedMs = 0;
  private unreportedMs = 0;
  private completions = 0;
  private readonly listeners: [string, EventListener][];
  private readonly close = (): void => this.end();

  constructor(
    private readonly videoId: string,
    private readonly video: HTMLVideoElement,
  ) {
    this.listeners = [
      ["playing", () => this.onPlaying()],
      ["timeupdate", () => this.onTime()],
      ["pause", () => this.onTime()],
      ["seeking", () => (this.last = null)],
      ["seeked", () => (this.last = this.video.currentTime)],
    ];
    for (const [name, fn] of this.listeners) video.addEventListener(name, fn);
    closers.add(this.close);
    if (!video.paused && video.readyState >= 3) this.onPlaying();
  }

  private onPlaying(): void {
    if (this.ended) return;
    this.last = this.video.currentTime;
    if (this.started) return;
    this.started = true;
    record({ kind: "view_start", client_event_id: newId(), video_id: this.videoId });
  }

  private onTime(): void {
    if (!this.started || this.ended) return;
    const now = this.video.currentTime;
    if (this.last !== null) {
      const delta = now - this.last;
      // timeupdate comes every ~250 ms: a bigger jump is a seek, not watching.
      if (delta > 0 && delta < 1.5 * Math.max(1, this.video.playbackRate)) this.add(delta * 1000);
    }
    this.last = now;
  }

  private add(ms: number): void {
    this.watchedMs += ms;
    this.unreportedMs += ms;
  }

  /**
   * The video reached its end (the caller loops it): a completion, and from the second one a rewatch.
   * Call before seeking back to the start.
   */
  completed(): void {
    if (!this.started || this.ended) return;
    const duration = this.video.duration;
    if (this.last !== null && Number.isFinite(duration) && duration > this.last) {
      this.add(Math.min(duration - this.last, 1.5) * 1000);
    }
    this.last = null;
    this.completions += 1;
    this.progress(Number.isFinite(duration) ? duration * 1000 : this.video.currentTime * 1000, true);
  }

  private progress(positionMs: number, completed: boolean): void {
    record({
      kind: "progress",
      client_event_id: newId(),
      video_id: this.videoId,
      watched_ms: Math.round(this.unreportedMs),
      position_ms: Math.max(0, Math.round(positionMs)),
      completed,
      rewatch: completed ? this.completions > 1 : this.completions > 0,
    });
    this.unreportedMs = 0;
  }

  /** The slide was left (or the page is going): report what was watched since the last report. */
  end(): void {
    if (this.ended) return;
    this.onTime();
    this.ended = true;
    for (const [name, fn] of this.listeners) this.video.removeEventListener(name, fn);
    closers.delete(this.close);
    if (!this.started) return;
    if (this.completions === 0 && this.watchedMs < SKIP_BELOW_MS) {
      record({ kind: "skip", client_event_id: newId(), video_id: this.videoId, watched_ms: Math.round(this.watchedMs) });
    } else if (this.completions === 0 || this.unreportedMs >= 1) {
      this.progress(this.video.currentTime * 1000, false);
    }
  }
}
