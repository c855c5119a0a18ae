/**
 * What a profile shows in which state, as data: the name and page title, the counts, the follow
 * button, which parts a suspended account shows to whom, a video tile's label and badge. Pure: the
 * profile's DOM modules draw what these return, and the client's unit tests check them without a browser.
 */

import type { Profile } from "../api";
import type { Schemas } from "../schemas";

export type VideoItem = Schemas["VideoItem"];
export type VideoPage = Schemas["VideoPage"];
export type DataExport = Schemas["ExportPublic"];

/** A bio has at most this many characters (ProfileUpdate.bio). */
export const BIO_MAX = 160;

/** The name a profile goes by: its display name, else its handle; an erased account has none. */
export function displayName(p: Profile): string {
  return p.erased || !p.handle ? "Deleted account" : p.display_name || p.handle;
}

/** The document title: "Mira (@mira) · Strom". */
export function pageTitle(p: Profile): string {
  const name = displayName(p);
  return p.handle ? `${name} (@${p.handle}) · Strom` : `${name} · Strom`;
}

/** The three counts under the name, in order: what `data-count` names each, its label, its value. */
export function countsOf(p: Profile): [key: "following" | "followers" | "likes", label: string, value: number][] {
  return [
    ["following", "Following", p.following],
    ["followers", "Followers", p.followers],
    ["likes", "Likes", p.likes_received],
  ];
}

/** The follow button while `following` is or is not the case. */
export function followButton(following: boolean): { label: string; className: string; pressed: string } {
  return following
    ? { label: "Unfollow", className: "button secondary", pressed: "true" }
    : { label: "Follow", className: "button", pressed: "false" };
}

/** A follower count after a follow is added (`following`) or taken back: never below zero. */
export function followersAfter(followers: number, following: boolean): number {
  return Math.max(0, followers + (following ? 1 : -1));
}

/** What the profile shows under its header. A suspended account's owner still sees it all, with a
 * banner; moderators see its videos, to review them; everyone else is told it is suspended. */
export function sectionsOf(p: Profile, mine: boolean, staff: boolean): { banner: boolean; suspendedNotice: boolean; videos: boolean } {
  if (!p.suspended) return { banner: false, suspendedNotice: false, videos: true };
  if (mine) return { banner: true, suspendedNotice: false, videos: true };
  return { banner: false, suspendedNotice: true, videos: staff };
}

/** A bio over the limit, in words; null when it fits. */
export function bioProblem(bio: string): string | null {
  return bio.length > BIO_MAX ? `A bio has at most ${BIO_MAX} characters` : null;
}

/** How a video tile is read out: "Video from 3/4/2025", with its caption's start once known. */
export function tileLabel(item: VideoItem, caption: string | null = null, locale?: string): string {
  const label = `Video from ${new Date(item.published_at).toLocaleDateString(locale)}`;
  return caption ? `${label}: ${caption.slice(0, 80)}` : label;
}

/** The badge a tile wears for who may see the video: none when it is public. */
export function tileBadge(visibility: string): string | null {
  if (visibility === "public") return null;
  return visibility === "private" ? "Private" : "Followers";
}

/** Where one's data export stands, in a sentence. A ready one without its link yet, or one past
 * use, reads as expired. */
export function exportMessage(found: DataExport): string {
  if (found.status === "pending") return "Preparing your data… This can take a few minutes.";
  if (found.status === "ready" && found.download_url) {
    const size = found.size_bytes === null ? "" : ` (${megabytes(found.size_bytes)})`;
    const until = found.expires_at ? ` It can be downloaded until ${new Date(found.expires_at).toLocaleString()}.` : "";
    return `Your data is ready${size}.${until}`;
  }
  if (found.status === "failed") return `Preparing your data failed: ${found.reason ?? "try again"}.`;
  return "Your last copy of your data has expired.";
}

/** A size as KB under a megabyte (at least 1 KB), else MB with one decimal. */
export function megabytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
