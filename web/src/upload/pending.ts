/**
 * The one upload in flight, as a state machine that outlives views and reloads:
 *
 *   creating → uploading → processing → publishing → published (or scheduled, for later)
 *        \__________\___________\____________\______→ failed
 *
 * Its record (video id, the details to publish with, the stage) is kept in localStorage and the
 * file itself in IndexedDB, so `resumePending()` at start-up carries on from wherever a reload cut
 * it: the tus upload resumes from the server's offset, processing is polled until the video is
 * ready, and then it is published with the stored details.
 */

import { Upload, type DetailedError, type PreviousUpload } from "tus-js-client";
import { ApiError, authHeaders, describe, errorOf, get, request, type VideoDetails } from "../api";
import type { Schemas } from "../schemas";
import { currentSession, onSessionChange } from "../session";
import { toast } from "../ui";
import { AT_LEAST_MS, scheduledText } from "./when";

export type Stage = "creating" | "uploading" | "processing" | "publishing" | "published" | "scheduled" | "failed";

/** What the video is published with, kept with the upload until it is ready. Records kept before
 * scheduling existed have no `publish_at`, which the server reads as "publish now". */
export type PublishDetails = Schemas["VideoPublish"];
export type VideoCreated = Schemas["VideoCreated"];
export type VideoPublication = Schemas["VideoPublication"];

export interface PendingUpload extends PublishDetails {
  user_id: string;
  /** Sent with POST /v1/videos, so a retried creation gets the same draft. */
  create_key: string;
  video_id: string | null;
  stage: Stage;
  /** 0..1 within the stage (bytes sent while uploading, the worker's progress while processing). */
  progress: number;
  error: string | null;
  /** Whether trying again could help (a network failure, not a rejected file). */
  retryable: boolean;
  upload_url: string | null;
  /** When the server will publish it, once the schedule is recorded. */
  scheduled_for?: string | null;
  filename: string;
  filetype: string;
  size: number;
}

const KEY = "strom.pendingUpload";
export const CHUNK_SIZE = 5 * 1024 * 1024;
const POLL_MS = 2000;

type Listener = (pending: PendingUpload | null) => void;
const listeners = new Set<Listener>();

let state: PendingUpload | null = read();
let upload: Upload | null = null;
let polling = false;
/** Bumped by cancel/reset/sign-out so a step in flight knows it was overtaken. */
let run = 0;
let lastSaved = 0;

function read(): PendingUpload | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as PendingUpload) : null;
  } catch {
    return null;
  }
}

function persist(force = true): void {
  const now = Date.now();
  if (!force && now - lastSaved < 500) return;
  lastSaved = now;
  try {
    if (state) localStorage.setItem(KEY, JSON.stringify(state));
    else localStorage.removeItem(KEY);
  } catch {
    /* storage full: the upload goes on, only resuming after a reload is lost */
  }
}

function update(patch: Partial<PendingUpload>, force = true): void {
  if (!state) return;
  state = { ...state, ...patch };
  persist(force);
  for (const listener of listeners) listener(state);
}

export function pending(): PendingUpload | null {
  return state;
}

/** Calls `listener` now and on every change; returns what unsubscribes. */
export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  listener(state);
  return () => listeners.delete(listener);
}

// ---- the file, kept in IndexedDB (Blobs are storable there, unlike in localStorage) ----

const DB = "strom-uploads";
const STORE = "files";
const FILE_KEY = "pending";

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(DB, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE);
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}

async function withStore<T>(mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = act(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result as T);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

const saveFile = (file: File): Promise<unknown> => withStore("readwrite", (s) => s.put(file, FILE_KEY));
const loadFile = (): Promise<File | undefined> => withStore<File | undefined>("readonly", (s) => s.get(FILE_KEY));
const dropFile = (): Promise<unknown> => withStore("readwrite", (s) => s.delete(FILE_KEY)).catch(() => undefined);

// ---- the server's limit ----

let maxSize: Promise<number | null> | null = null;

/** Tus-Max-Size from OPTIONS /v1/uploads (null when the server does not say). */
export function serverMaxSize(): Promise<number | null> {
  maxSize ??= fetch("/v1/uploads", { method: "OPTIONS" })
    .then((response) => {
      const value = Number(response.headers.get("Tus-Max-Size"));
      return Number.isFinite(value) && value > 0 ? value : null;
    })
    .catch(() => {
      maxSize = null;
      return null;
    });
  return maxSize;
}

// ---- the steps ----

/** Starts a new upload; a finished or failed one left in the store is replaced. */
export async function startUpload(file: File, details: PublishDetails): Promise<void> {
  const session = currentSession();
  if (!session) throw new Error("Sign in to upload");
  if (state && isActive(state) && state.user_id === session.userId) throw new Error("An upload is already in progress");
  if (state && state.user_id !== session.userId) {
    // Another account's unfinished upload on this device: this one replaces it here.
    upload = null;
    state = { ...state, stage: "failed" };
  }
  await reset();
  run += 1;
  state = {
    ...details,
    user_id: session.userId,
    create_key: crypto.randomUUID(),
    video_id: null,
    stage: "creating",
    progress: 0,
    error: null,
    retryable: false,
    upload_url: null,
    filename: file.name,
    filetype: file.type,
    size: file.size,
  };
  try {
    await saveFile(file);
  } catch {
    /* no IndexedDB (private mode): the upload works, it just cannot survive a reload */
  }
  update({});
  await proceed(file);
}

export function isActive(p: PendingUpload): boolean {
  return p.stage !== "published" && p.stage !== "scheduled" && p.stage !== "failed";
}

/** Carries the stored upload on from its stage; `file` saves reading it back from IndexedDB. */
async function proceed(file?: File): Promise<void> {
  const current = state;
  if (!current || !isActive(current)) return;
  const session = currentSession();
  if (!session || session.userId !== current.user_id) return; // resumed once its owner signs in
  const myRun = run;
  try {
    if (current.stage === "creating" || current.stage === "uploading") {
      const source = file ?? (await loadFile().catch(() => undefined));
      if (myRun !== run) return;
      if (!source) {
        fail("The file is no longer available here. Choose it again.", false);
        return;
      }
      let videoId = current.video_id;
      if (!videoId) {
        const created = await request<VideoCreated>("POST", "/v1/videos", { idempotencyKey: current.create_key });
        if (myRun !== run) return;
        videoId = created.video_id;
        update({ video_id: videoId, stage: "uploading", progress: 0 });
      }
      await sendFile(source, videoId, myRun);
    } else {
      await poll(myRun);
    }
  } catch (error) {
    if (myRun !== run) return;
    const offline = error instanceof ApiError && error.offline;
    fail(describe(error), offline || (error instanceof ApiError && error.status >= 500));
  }
}

function fail(reason: string, retryable: boolean): void {
  upload = null;
  polling = false;
  update({ stage: "failed", error: reason, retryable });
  if (location.pathname !== "/upload") toast(`Upload failed: ${reason}`);
}

async function sendFile(file: File, videoId: string, myRun: number): Promise<void> {
  update({ stage: "uploading" }, false);
  const tus = new Upload(file, {
    endpoint: "/v1/uploads",
    uploadUrl: state?.upload_url ?? null,
    metadata: { video_id: videoId, filename: file.name, filetype: file.type || "application/octet-stream" },
    chunkSize: CHUNK_SIZE,
    retryDelays: [0, 1000, 3000, 5000, 10000],
    storeFingerprintForResuming: true,
    removeFingerprintOnSuccess: true,
    // The bearer is set per request (not with `headers`, which XHR would merge into a second
    // value), so a token renewed since the upload began is the one sent.
    onBeforeRequest: (req) => {
      const auth = authHeaders().Authorization;
      if (auth) req.setHeader("Authorization", auth);
    },
    onUploadUrlAvailable: () => {
      if (myRun === run && upload) update({ upload_url: upload.url });
    },
    onProgress: (sent, total) => {
      if (myRun === run) update({ progress: total ? sent / total : 0 }, sent === total);
    },
    onSuccess: () => {
      if (myRun !== run) return;
      upload = null;
      update({ stage: "processing", progress: 0, upload_url: null });
      void poll(myRun);
    },
    onError: (error) => {
      if (myRun !== run) return;
      upload = null;
      const { reason, retryable } = uploadFailure(error);
      fail(reason, retryable);
    },
  });
  upload = tus;
  try {
    const previous = await tus.findPreviousUploads();
    const mine = previous.find((p: PreviousUpload) => p.metadata.video_id === videoId && p.uploadUrl);
    if (mine) tus.resumeFromPreviousUpload(mine);
  } catch {
    /* nothing stored to resume from: uploadUrl (if any) or a fresh upload */
  }
  if (myRun !== run) return;
  tus.start();
}

/** What a failed tus request means to the person: the server's problem detail when it sent one. */
function uploadFailure(error: Error | DetailedError): { reason: string; retryable: boolean } {
  const response = "originalResponse" in error ? error.originalResponse : null;
  const status = response?.getStatus() ?? 0;
  if (response && status >= 400) {
    let detail: string | null = null;
    try {
      detail = describe(errorOf(status, "", JSON.parse(response.getBody())));
    } catch {
      /* not a problem document */
    }
    if (status === 413) return { reason: detail ?? "The file is too large", retryable: false };
    if (status === 401) return { reason: "Your session ended. Sign in again to continue.", retryable: true };
    return { reason: detail ?? `The server refused the upload (HTTP ${status})`, retryable: status >= 500 || status === 409 || status === 429 };
  }
  return { reason: navigator.onLine ? "The connection to Strom was lost" : "You are offline", retryable: true };
}

async function poll(myRun: number): Promise<void> {
  if (polling) return;
  polling = true;
  let failures = 0;
  try {
    while (myRun === run && state && (state.stage === "processing" || state.stage === "publishing")) {
      const videoId = state.video_id!;
      let details: VideoDetails;
      try {
        details = await get<VideoDetails>(`/v1/videos/${videoId}`);
        failures = 0;
      } catch (error) {
        if (myRun !== run) return;
        if (error instanceof ApiError && (error.status === 404 || error.status === 403 || error.status === 401)) {
          fail(error.status === 404 ? "The video is gone" : describe(error), false);
          return;
        }
        failures += 1; // offline or a hiccup: keep trying, more slowly
        await sleep(Math.min(POLL_MS * 2 ** failures, 30_000));
        continue;
      }
      if (myRun !== run) return;
      if (details.state !== "draft" && details.published_at) {
        finished(videoId);
        return;
      }
      if (details.schedule && !details.schedule.failed) {
        finished(videoId, details.schedule.publish_at);
        return;
      }
      const processing = details.processing ?? {
        status: details.playback.master_playlist ? "ready" : "processing",
        progress: null,
        error: null,
      };
      if (processing.status === "failed" || processing.status === "rejected") {
        fail(processing.error ?? (processing.status === "rejected" ? "The file is not a playable video" : "Processing failed"), false);
        return;
      }
      if (processing.status === "ready") {
        update({ stage: "publishing", progress: 1 });
        const p = state;
        // A time that has passed while the video was processing: it is published now instead.
        const later = p.publish_at && Date.parse(p.publish_at) > Date.now() + AT_LEAST_MS ? p.publish_at : null;
        let scheduledFor: string | null = null;
        try {
          const answer = await request<VideoPublication>("POST", `/v1/videos/${videoId}/publish`, {
            body: {
              caption: p.caption,
              hashtags: p.hashtags,
              visibility: p.visibility,
              comments_allowed: p.comments_allowed,
              ...(later ? { publish_at: later } : {}),
            } satisfies PublishDetails,
            idempotencyKey: `publish-${p.create_key}${later ? `-at-${later}` : ""}`,
          });
          scheduledFor = later ? (answer.scheduled_for ?? later) : null;
        } catch (error) {
          if (myRun !== run) return;
          if (error instanceof ApiError && error.status === 409) {
            // Not ready after all (or already published): look again.
            await sleep(POLL_MS);
            continue;
          }
          if (error instanceof ApiError && (error.offline || error.status >= 500 || error.status === 429)) {
            await sleep(POLL_MS * 2);
            continue;
          }
          fail(describe(error), false);
          return;
        }
        if (myRun !== run) return;
        finished(videoId, scheduledFor);
        return;
      }
      update({ stage: "processing", progress: processing.progress ?? state.progress }, false);
      await sleep(POLL_MS);
    }
  } finally {
    polling = false;
  }
}

function finished(videoId: string, scheduledFor: string | null = null): void {
  update({ stage: scheduledFor ? "scheduled" : "published", progress: 1, error: null, scheduled_for: scheduledFor });
  void dropFile();
  if (location.pathname !== "/upload") toast(scheduledFor ? scheduledText(scheduledFor) : "Your video is published");
  void videoId;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// ---- what the person can do ----

/** Tries a failed upload again from where it stopped. */
export async function retry(): Promise<void> {
  if (!state || state.stage !== "failed" || !state.retryable) return;
  run += 1;
  const stage: Stage = state.video_id === null ? "creating" : state.upload_url !== null || state.progress < 1 ? "uploading" : "processing";
  update({ stage, error: null, retryable: false });
  await proceed();
}

/** Stops the upload, removes its bytes on the server and its draft, and forgets it. */
export async function cancel(): Promise<void> {
  const current = state;
  run += 1;
  polling = false;
  const tus = upload;
  upload = null;
  state = null;
  persist();
  for (const listener of listeners) listener(null);
  await dropFile();
  if (tus) await tus.abort(true).catch(() => undefined);
  else if (current?.upload_url) await Upload.terminate(current.upload_url, { headers: authHeaders() }).catch(() => undefined);
  if (current?.video_id && current.stage !== "published" && current.stage !== "scheduled") {
    await request("DELETE", `/v1/videos/${current.video_id}`).catch(() => undefined);
  }
}

/** Forgets a finished (published or failed) upload so a new one can start. */
export async function reset(): Promise<void> {
  if (state && isActive(state)) return;
  run += 1;
  state = null;
  persist();
  for (const listener of listeners) listener(null);
  await dropFile();
}

/** At start-up: carries on with an upload a reload interrupted. */
export function resumePending(): void {
  void proceed();
}

// Signing out pauses the upload (its bytes stay on the server); signing back in as its owner resumes it.
onSessionChange((session) => {
  if (!state || !isActive(state)) return;
  if (!session || session.userId !== state.user_id) {
    run += 1;
    polling = false;
    void upload?.abort(false);
    upload = null;
  } else if (!upload && !polling) {
    void proceed();
  }
});
