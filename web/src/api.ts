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

import { currentSession, onSessionChange, renewSession, saveSession, type Session } from "./session";

/** One field error of a 422 as the API lists them (api/problems.py): where, as a path such as
 * `["body", "handle"]`, and what is wrong there. */
export interface FieldProblem {
  location?: (string | number)[];
  message?: string;
  type?: string;
}

/** A daily limit reached (429, commands/friction): which, how many, for whom, and when it lifts. */
export interface DailyLimit {
  /** `comment_per_day`, `upload_per_day`, `follow_per_day`, `report_per_day`. */
  limit: string;
  allowed: number;
  count: number;
  /** `new_account` or `established`. */
  tier: string;
  strikes: number;
  /** ISO 8601, UTC midnight. */
  lifts_at: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | null = null,
    /** Field errors of a 422, as the API lists them. */
    readonly errors: FieldProblem[] = [],
    /** Set when a daily limit refused the command. */
    readonly dailyLimit: DailyLimit | null = null,
  ) {
    super(detail ?? title);
  }

  /** No answer at all: the network is down or the server unreachable. */
  get offline(): boolean {
    return this.status === 0;
  }
}

type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  body?: unknown;
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
  if (key) headers["Idempotency-Key"] = key;
  try {
    return await fetch(withQuery(path, options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
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

export interface TokenIssued {
  access_token: string;
  expires_in: number;
  refresh_token: string;
  refresh_expires_in: number;
  user_id: string;
  role: string;
}

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

/** The `ApiError` a problem document stands for; also for answers read outside `request` (uploads). */
export function errorOf(status: number, statusText: string, body: unknown): ApiError {
  const problem = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  const text = (key: string): string | null => (typeof problem[key] === "string" ? (problem[key] as string) : null);
  const errors = Array.isArray(problem.errors) ? (problem.errors as FieldProblem[]) : [];
  const title = text("title") ?? (statusText || `HTTP ${status}`);
  return new ApiError(status, title, text("detail"), errors, status === 429 ? dailyLimitOf(problem) : null);
}

function dailyLimitOf(problem: Record<string, unknown>): DailyLimit | null {
  const { limit, allowed, count, tier, strikes, lifts_at } = problem;
  if (typeof limit !== "string" || typeof allowed !== "number" || typeof lifts_at !== "string") return null;
  return {
    limit,
    allowed,
    count: typeof count === "number" ? count : allowed,
    tier: typeof tier === "string" ? tier : "established",
    strikes: typeof strikes === "number" ? strikes : 0,
    lifts_at,
  };
}

/**
 * The field errors of a problem, each named by its field (the last part of its location, as the
 * request body names it) with its message. Every form reads field errors through this.
 */
export function fieldProblems(error: unknown): { field: string; message: string }[] {
  if (!(error instanceof ApiError)) return [];
  return error.errors.flatMap((e) => {
    const location = Array.isArray(e.location) ? e.location : [];
    const message = typeof e.message === "string" ? e.message : "";
    return message ? [{ field: String(location[location.length - 1] ?? ""), message }] : [];
  });
}

/** What each counted action is, in a sentence: "You can post 30 comments a day". */
const LIMITED: Record<string, [verb: string, one: string, many: string]> = {
  upload: ["upload", "video", "videos"],
  comment: ["post", "comment", "comments"],
  follow: ["follow", "account", "accounts"],
  report: ["send", "report", "reports"],
};

/** A daily limit in words, built from the problem's fields: "You can post 30 comments a day while
 * your account is new; more tomorrow at 00:00 UTC". */
export function describeLimit(limit: DailyLimit, now: Date = new Date()): string {
  const capability = limit.limit.replace(/_per_day$/, "");
  const [verb, one, many] = LIMITED[capability] ?? ["do", "action", "actions"];
  const why: string[] = [];
  if (limit.tier === "new_account") why.push("your account is new");
  if (limit.strikes > 0) why.push(`${limit.strikes === 1 ? "a strike is" : `${limit.strikes} strikes are`} in force`);
  const reason = why.length ? ` while ${why.join(" and ")}` : "";
  return `You can ${verb} ${limit.allowed} ${limit.allowed === 1 ? one : many} a day${reason}; more ${whenUtc(limit.lifts_at, now)}`;
}

/** "tomorrow at 00:00 UTC" (limits lift at midnight UTC), or the day when it is further off. */
function whenUtc(iso: string, now: Date): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return "later";
  const time = `${String(at.getUTCHours()).padStart(2, "0")}:${String(at.getUTCMinutes()).padStart(2, "0")} UTC`;
  const day = (d: Date): number => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const days = Math.round((day(at) - day(now)) / 86_400_000);
  if (days <= 0) return `today at ${time}`;
  if (days === 1) return `tomorrow at ${time}`;
  return `on ${at.toISOString().slice(0, 10)} at ${time}`;
}

/** A message a person can act on, for any error a view catches. */
export function describe(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.dailyLimit) return describeLimit(error.dailyLimit);
    const fields = fieldProblems(error).map((e) => e.message);
    if (fields.length) return fields.join("; ");
    return error.detail ?? error.title;
  }
  return "Something went wrong";
}

// ---- The resources the client reads (see /openapi.json for the whole contract) ----

export type Visibility = "public" | "followers" | "private";

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface FeedEntry {
  video_id: string;
  owner_id: string;
  /** Why For You shows it ("popular in #cats"); absent in the Following feed. */
  reason?: string | null;
}

export interface Playback {
  master_playlist: string | null;
  poster: string | null;
  thumbnails: string | null;
  expires_at: string | null;
}

export interface VideoStats {
  video_id: string;
  likes: number;
  comments: number;
  shares: number;
  views: number;
}

export interface VideoDetails {
  video_id: string;
  owner_id: string;
  caption: string | null;
  caption_erased: boolean;
  hashtags: string[];
  visibility: Visibility;
  comments_allowed: boolean;
  state: "draft" | "listed" | "unpublished" | "hidden" | "deleted";
  published_at: string | null;
  media: { duration_ms: number | null; width: number | null; height: number | null; renditions: string[] };
  playback: Playback;
  stats: VideoStats;
  liked_by_me: boolean | null;
  processing?: { status: string; progress: number | null; error: string | null };
}

export interface Profile {
  user_id: string;
  handle: string | null; // null once the account was erased
  display_name: string | null;
  erased: boolean;
  bio: string | null;
  avatar_url: string | null;
  followers: number;
  following: number;
  videos: number;
  likes_received: number;
  followed_by_me: boolean | null;
  /** Suspended now: to anyone but them and moderators, display name, bio, avatar and videos are withheld. */
  suspended?: boolean;
}

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
  const result = await request<{ following: boolean }>(on ? "PUT" : "DELETE", `/v1/users/${userId}/follow`);
  profiles.delete(userId);
  return result.following;
}
