/**
 * The one way the client talks to Strom: JSON over HTTP to `/v1`, a bearer token when signed in, an
 * `Idempotency-Key` on every command so a retried tap is recorded once, and RFC 9457 problems turned
 * into `ApiError`s that views can show as they are.
 */

import { currentSession, saveSession } from "./session";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | null = null,
    /** Field errors of a 422, as the API lists them. */
    readonly errors: { loc?: (string | number)[]; msg?: string }[] = [],
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

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json", ...authHeaders() };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["Idempotency-Key"] = options.idempotencyKey ?? crypto.randomUUID();
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
      keepalive: options.keepalive,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, navigator.onLine ? "Strom cannot be reached" : "You are offline");
  }
  if (response.status === 401 && currentSession()) saveSession(null);
  if (!response.ok) throw await problemOf(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
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
    const problem = (await response.json()) as { title?: string; detail?: string; errors?: [] };
    return new ApiError(response.status, problem.title ?? response.statusText, problem.detail ?? null, problem.errors);
  } catch {
    return new ApiError(response.status, response.statusText || `HTTP ${response.status}`);
  }
}

/** A message a person can act on, for any error a view catches. */
export function describe(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = error.errors.map((e) => e.msg).filter(Boolean);
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
  handle: string;
  display_name: string | null;
  erased: boolean;
  bio: string | null;
  avatar_url: string | null;
  followers: number;
  following: number;
  videos: number;
  likes_received: number;
  followed_by_me: boolean | null;
}

export interface TokenIssued {
  access_token: string;
  expires_in: number;
  user_id: string;
  role: string;
}

export const videoDetails = (videoId: string, signal?: AbortSignal): Promise<VideoDetails> =>
  get<VideoDetails>(`/v1/videos/${videoId}`, undefined, signal);

/** Profiles are read often (every slide's avatar): one request per user per page load. */
const profiles = new Map<string, Promise<Profile>>();

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
