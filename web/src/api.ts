/**
 * The one way the client talks to Strom: JSON over HTTP to `/v1`, a bearer token when signed in, an
 * `Idempotency-Key` on every command so a retried tap is recorded once, and RFC 9457 problems turned
 * into `ApiError`s that views can show as they are.
 *
 * Access tokens live minutes. One that is refused (401) is renewed with the session's refresh token
 * and the request sent once more; only when the renewal is refused too is the session dropped.
 * Renewals are single-flight, across requests and across tabs: a refresh token works once, and the
 * server ends a session whose used refresh token comes back.
 */

import { ApiError, errorOf } from "./problems";
import type { Schemas } from "./schemas";
import { currentSession, onSessionChange, renewSession, saveSession, type Session } from "./session";

export { ApiError, describe, describeLimit, errorOf, fieldProblems, type DailyLimit, type FieldProblem } from "./problems";

type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  body?: unknown;
  /** Sent as it is instead of a JSON body, with its own type (a caption file). */
  file?: { data: Blob; type: string };
  query?: Query;
  signal?: AbortSignal;
  /** Lets the request outlive the page (watch signals sent as it hides). */
  keepalive?: boolean;
  /** Defaults to a fresh one for POST, PUT and DELETE. */
  idempotencyKey?: string;
}

export function authHeaders(): Record<string, string> {
  const session = currentSession();
  return session ? { Authorization: `Bearer ${session.token}` } : {};
}

/** A 401 from these is about the credentials sent in the body, not about the session. */
const SIGNING_IN = new Set(["/v1/auth/token", "/v1/auth/refresh"]);

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  // One key for the first attempt and its retry after a renewal: the server applies them once.
  const key = method !== "GET" ? (options.idempotencyKey ?? crypto.randomUUID()) : undefined;
  const sent = currentSession();
  let response = await send(method, path, options, key, sent);
  if (response.status === 401 && sent && !SIGNING_IN.has(path)) {
    const renewed = await renewAfterRefusal(sent);
    if (renewed) response = await send(method, path, options, key, renewed);
    if (renewed && response.status === 401) saveSession(null); // refused on fresh tokens: it is over
  }
  if (!response.ok) throw await problemOf(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

async function send(
  method: string,
  path: string,
  options: RequestOptions,
  key: string | undefined,
  session: Session | null,
): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (session) headers.Authorization = `Bearer ${session.token}`;
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (options.file) headers["Content-Type"] = options.file.type;
  if (key) headers["Idempotency-Key"] = key;
  const body = options.file?.data ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  try {
    return await fetch(withQuery(path, options.query), {
      method,
      headers,
      body,
      signal: options.signal,
      keepalive: options.keepalive,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw offline();
  }
}

function offline(): ApiError {
  return new ApiError(0, navigator.onLine ? "Strom cannot be reached" : "You are offline");
}

// ---- Sessions: signing in, renewing the access token, signing out ----

export type TokenIssued = Schemas["TokenIssued"];

/** What the client keeps of a sign-in or a refresh. */
export function sessionOf(issued: TokenIssued): Session {
  const now = Date.now();
  return {
    token: issued.access_token,
    userId: issued.user_id,
    expiresAt: now + issued.expires_in * 1000,
    refreshToken: issued.refresh_token,
    refreshExpiresAt: now + issued.refresh_expires_in * 1000,
    role: issued.role,
  };
}

let renewing: Promise<Session | null> | null = null;

/**
 * New tokens for `stale`, a session whose access token was refused or is about to run out: `null`
 * when the session is over (it was then dropped). Concurrent callers share one renewal.
 */
export function renew(stale: Session): Promise<Session | null> {
  renewing ??= exclusively(() => renewOnce(stale)).finally(() => {
    renewing = null;
  });
  return renewing;
}

/** After a 401: a token renewed elsewhere meanwhile (another request, another tab) is used as is. */
async function renewAfterRefusal(sent: Session): Promise<Session | null> {
  const now = currentSession();
  if (now && now.userId === sent.userId && now.token !== sent.token) return now;
  if (!now) return null;
  try {
    return await renew(now);
  } catch {
    return null; // offline: the refusal stands, the session is kept for when the network is back
  }
}

/** Across tabs, one at a time (Web Locks, where the browser has them): each reads what the last left. */
async function exclusively<T>(work: () => Promise<T>): Promise<T> {
  if (!navigator.locks) return work();
  let result: T | undefined;
  await navigator.locks.request("strom.session.renew", async () => {
    result = await work();
  });
  return result as T;
}

async function renewOnce(stale: Session): Promise<Session | null> {
  const stored = currentSession();
  if (!stored || stored.userId !== stale.userId) return stored;
  if (stored.refreshToken !== stale.refreshToken) return stored; // another tab renewed it already
  let response: Response;
  try {
    response = await fetch("/v1/auth/refresh", {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": "application/json" },
      body: JSON.stringify({ refresh_token: stored.refreshToken }),
    });
  } catch {
    throw offline();
  }
  if (response.status === 401 || response.status === 422) {
    saveSession(null);
    return null;
  }
  if (!response.ok) throw await problemOf(response);
  const session = sessionOf((await response.json()) as TokenIssued);
  renewSession(session);
  keepFresh();
  return session;
}

/** Renews the access token a minute before it runs out, so streams and uploads (which read the
 * token as they go) seldom meet a refused one. */
const AHEAD_MS = 60_000;
let freshTimer: number | null = null;

export function keepFresh(): void {
  if (freshTimer !== null) window.clearTimeout(freshTimer);
  freshTimer = null;
  const session = currentSession();
  if (!session) return;
  const wait = Math.max(0, session.expiresAt - AHEAD_MS - Date.now());
  freshTimer = window.setTimeout(() => {
    freshTimer = null;
    const now = currentSession();
    if (!now) return;
    if (now.expiresAt - AHEAD_MS > Date.now()) keepFresh(); // another tab renewed it
    else renew(now).catch(() => window.setTimeout(keepFresh, AHEAD_MS)); // offline: try later
  }, Math.min(wait, 2 ** 31 - 1));
}

onSessionChange(keepFresh);
keepFresh();

/** Ends this session on the server, then here; here it ends even if the server cannot be told. */
export async function signOut(): Promise<void> {
  try {
    if (currentSession()) await request("POST", "/v1/auth/sign-out");
  } catch {
    // offline, or the session had ended already
  } finally {
    saveSession(null);
  }
}

export const get = <T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> =>
  request<T>("GET", path, { query, signal });

function withQuery(path: string, query: Query | undefined): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== null && value !== undefined) params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function problemOf(response: Response): Promise<ApiError> {
  try {
    return errorOf(response.status, response.statusText, await response.json());
  } catch {
    return new ApiError(response.status, response.statusText || `HTTP ${response.status}`);
  }
}

// ---- The resources the client reads (see /openapi.json for the whole contract) ----

export type Visibility = Schemas["Visibility"];

/** An item of For You (with why it is shown) or of Following. */
export type FeedEntry = Schemas["ForYouItem"] | Schemas["FeedVideo"];
export type FeedPage = Schemas["ForYouPage"] | Schemas["FollowingFeedPage"];
export type Playback = Schemas["Playback"];
export type VideoStats = Schemas["VideoStats"];
export type VideoDetails = Schemas["VideoDetails"];
/** `handle` is null once the account was erased; a suspended one's display name, bio, avatar and
 * videos are withheld from anyone but them and moderators. */
export type Profile = Schemas["ProfileOut"];

export const videoDetails = (videoId: string, signal?: AbortSignal): Promise<VideoDetails> =>
  get<VideoDetails>(`/v1/videos/${videoId}`, undefined, signal);

/** Profiles are read often (every slide's avatar): one request per user per page load and viewer.
 * A profile says whether the viewer follows its owner, so signing in or out forgets them all. */
const profiles = new Map<string, Promise<Profile>>();
onSessionChange(() => profiles.clear());

export function profileOf(userId: string, fresh = false): Promise<Profile> {
  let profile = profiles.get(userId);
  if (!profile || fresh) {
    profile = get<Profile>(`/v1/users/${userId}`);
    profile.catch(() => profiles.delete(userId));
    profiles.set(userId, profile);
  }
  return profile;
}

export async function follow(userId: string, on: boolean): Promise<boolean> {
  const result = await request<Schemas["FollowResult"]>(on ? "PUT" : "DELETE", `/v1/users/${userId}/follow`);
  profiles.delete(userId);
  return result.following;
}
