/** What the Discover tab, hashtag pages and `/@handle` read (see /openapi.json: the discovery routes). */

import { get, type Profile } from "../api";
import type { Schemas } from "../schemas";

export type SearchKind = Schemas["Kind"];
export type CreatorHit = Schemas["CreatorHit"];
export type VideoHit = Schemas["VideoHit"];
export type SearchPage = Schemas["SearchPage"];
export type TaggedVideo = Schemas["TaggedVideo"];
export type HashtagSort = Schemas["Sort"];
export type HashtagPage = Schemas["HashtagPage"];
export type Discover = Schemas["DiscoverOut"];

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
