/**
 * What the comments sheet shows in which state, as data: the text a comment reads as, what it offers
 * the viewer, the replies toggle, the composer's button and counter, the tab a key moves to. Pure:
 * the DOM modules draw what these return, and the client's unit tests check them without a browser.
 */

import type { CommentItem, CommentOrder, CommentTarget } from "./api";

/** The text a comment reads as: its own, or why there is none; `gone` greys it out. */
export function commentText(item: CommentItem): { text: string; gone: boolean; edited: boolean } {
  const gone = item.deleted || item.erased || item.text === null;
  let text: string;
  if (item.withheld && !item.deleted) text = "Comment withheld";
  else if (item.deleted) text = "[deleted]";
  else if (item.erased || item.text === null) text = "[erased]";
  else text = item.text;
  return { text, gone, edited: item.edited && !item.deleted && !item.erased && !item.withheld };
}

/** Who wrote a comment that names no author: a suspended one's is withheld, an erased one's gone. */
export function absentAuthor(item: CommentItem): string {
  return item.withheld ? "Suspended account" : "Deleted account";
}

/** The author as the comment names them, once their profile is read. */
export function authorName(handle: string | null): string {
  return handle ? `@${handle}` : "Deleted account";
}

export interface Offers {
  reply: boolean;
  delete: boolean;
  /** A withheld comment shows no like button; a deleted or still-posting one shows it disabled. */
  likeHidden: boolean;
  likeDisabled: boolean;
}

/** What a comment offers `viewer` (null: signed out). A withheld comment offers nothing; its
 * replies stay below it. Its author and the video's creator may delete it. */
export function offers(item: CommentItem, viewer: string | null, video: CommentTarget, pending = false): Offers {
  const actionable = !item.deleted && !item.withheld;
  return {
    reply: video.comments_allowed && viewer !== null && actionable,
    delete: viewer !== null && actionable && (item.author_id === viewer || video.owner_id === viewer),
    likeHidden: item.withheld === true,
    likeDisabled: pending || item.deleted,
  };
}

/** The thread a reply to `item` joins: threads are one level deep, so a reply to a reply joins its
 * top-level comment's. */
export function threadOf(item: CommentItem): string {
  return item.parent_id ?? item.comment_id;
}

/** Only a top-level comment has a replies thread, and a held one none until released. */
export function hasThread(item: CommentItem): boolean {
  return item.parent_id === null && !item.held;
}

/** A deleted top-level comment with replies keeps its place as "[deleted]" so its replies keep theirs;
 * any other deleted comment leaves the list. */
export function keepsPlaceWhenDeleted(item: CommentItem): boolean {
  return item.parent_id === null && item.reply_count > 0;
}

/** The replies toggle: hidden while there are none to show. */
export function repliesToggle(replyCount: number, loaded: boolean, open: boolean): { hidden: boolean; label: string } {
  return { hidden: replyCount === 0 && !loaded, label: open ? "Hide replies" : `View replies (${replyCount})` };
}

/** A like count after a like is added (`liked`) or taken back: never below zero. */
export function likesAfter(likes: number, liked: boolean): number {
  return Math.max(0, likes + (liked ? 1 : -1));
}

/** The items of a page not drawn yet, each once: pages read while comments are posted overlap. */
export function unseen(items: CommentItem[], seen: ReadonlySet<string>): CommentItem[] {
  const drawn = new Set(seen);
  const fresh: CommentItem[] = [];
  for (const item of items) {
    if (drawn.has(item.comment_id)) continue;
    drawn.add(item.comment_id);
    fresh.push(item);
  }
  return fresh;
}

/** The composer for `value`: Post needs text once trimmed and no more than `max` characters; the
 * counter shows in the last hundred. */
export function composerState(value: string, max: number): { canPost: boolean; counterHidden: boolean; counter: string } {
  return {
    canPost: value.trim().length > 0 && value.length <= max,
    counterHidden: value.length < max - 100,
    counter: `${value.length}/${max}`,
  };
}

/** The tab an arrow, Home or End key selects (there are two: arrows switch), or null for other keys. */
export function tabForKey(key: string, current: CommentOrder): CommentOrder | null {
  if (key === "Home") return "newest";
  if (key === "End") return "top";
  if (key === "ArrowRight" || key === "ArrowLeft") return current === "newest" ? "top" : "newest";
  return null;
}

/** The comment drawn at once when the viewer posts, before the server answers. */
export function draftComment(
  draftId: string,
  video: CommentTarget,
  author: string,
  text: string,
  parentId: string | null,
  now: Date,
): CommentItem {
  return {
    comment_id: `pending-${draftId}`,
    video_id: video.video_id,
    parent_id: parentId,
    reply_to_id: parentId,
    author_id: author,
    text,
    erased: false,
    edited: false,
    posted_at: now.toISOString(),
    likes: 0,
    reply_count: 0,
    deleted: false,
    pinned: false,
    withheld: false,
    held: false,
  };
}

/** What the screen reader is told once the server took a post. */
export function postedNote(reply: boolean, held: boolean): string {
  if (held) return reply ? "Reply held for review" : "Comment held for review";
  return reply ? "Reply posted" : "Comment posted";
}
