/** What the Discover tab, hashtag pages and `/@handle` read (see /openapi.json: the discovery routes). */

import { get, type Page, type Profile } from "../api";

export type SearchKind = "creators" | "hashtags" | "videos";

export interface CreatorHit {
  user_id: string;
  handle: string;
  display_name: string | null;
  avatar_url: string | null;
}

export interface VideoHit {
  video_id: string;
  owner_id: string;
  caption: string | null;
  hashtags: string[];
  published_at: string | null;
  labels: string[];
}

export interface SearchPage {
  kind: SearchKind;
  creators: CreatorHit[];
  hashtags: { hashtag: string }[];
  videos: VideoHit[];
  next_cursor: string | null;
}

export interface TaggedVideo {
  video_id: string;
  owner_id: string;
  published_at: string | null;
  labels: string[];
}

export type HashtagSort = "newest" | "trending";

export interface HashtagPage extends Page<TaggedVideo> {
  hashtag: string;
  sort: HashtagSort;
}

export interface Discover {
  hashtags: { hashtag: string; score: number }[];
  creators: CreatorHit[];
}

export const search = (q: string, kind: SearchKind, limit: number, signal?: AbortSignal): Promise<SearchPage> =>
  get<SearchPage>("/v1/search", { q, kind, limit }, signal);

export const discover = (signal?: AbortSignal): Promise<Discover> => get<Discover>("/v1/discover", undefined, signal);

export const hashtagPage = (
  tag: string,
  sort: HashtagSort,
  cursor: string | null,
  signal?: AbortSignal,
): Promise<HashtagPage> => get<HashtagPage>(`/v1/hashtags/${encodeURIComponent(tag)}`, { sort, cursor, limit: 18 }, signal);

export const profileByHandle = (handle: string, signal?: AbortSignal): Promise<Profile> =>
  get<Profile>(`/v1/users/by-handle/${encodeURIComponent(handle)}`, undefined, signal);
