/**
 * What the action rail shows and keeps, as data: the like state the server confirmed, whether the
 * creator gets a Follow button and what it says, the link a share sends. Pure: the rail's DOM modules
 * use these, and the client's unit tests check them without a browser.
 */

/** A like and its count as the server last confirmed them; taps since are drawn ahead of it. */
export interface LikeState {
  liked: boolean;
  likes: number;
}

/** The confirmed state after the server answers `liked`: the count moves only if the like did. */
export function confirmLike(confirmed: LikeState, liked: boolean): LikeState {
  return { liked, likes: confirmed.likes + (liked === confirmed.liked ? 0 : liked ? 1 : -1) };
}

/** The count drawn: a tap's optimistic step never shows below zero. */
export function shownLikes(likes: number): number {
  return Math.max(0, likes);
}

/** Whether the creator's "+" is drawn: never on one's own video, nor once followed (signed in, the
 * profile says); signed out it is offered too, and asks to sign in first. */
export function offersFollow(viewer: string | null, ownerId: string, followedByMe: boolean | null): boolean {
  if (viewer === ownerId) return false;
  return viewer === null || followedByMe === false;
}

/** What the creator's button says to a screen reader. */
export function followLabel(following: boolean, handle: string): string {
  return `${following ? "Unfollow" : "Follow"} ${handle}`;
}

/** The toast once a follow is recorded. */
export function followedNote(following: boolean, handle: string): string {
  return following ? `Following ${handle}` : `Unfollowed ${handle}`;
}

/** The link a share sends: the video's own page. */
export function shareUrl(origin: string, videoId: string): string {
  return `${origin}/v/${videoId}`;
}
