/**
 * The comments a viewer liked, kept in localStorage per user: the API says no "liked by me" for
 * comments. Only the latest few thousand are kept.
 */

const LIKES_KEY = "strom.commentLikes";
const LIKES_KEPT = 2000;

function likedIds(userId: string | null): string[] {
  if (!userId) return [];
  try {
    const ids = JSON.parse(localStorage.getItem(`${LIKES_KEY}.${userId}`) ?? "[]") as unknown;
    return Array.isArray(ids) ? ids.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

/** Whether `userId` (null: signed out) liked the comment here. */
export function isLiked(userId: string | null, commentId: string): boolean {
  return likedIds(userId).includes(commentId);
}

export function rememberLike(userId: string | null, commentId: string, liked: boolean): void {
  if (!userId) return;
  try {
    localStorage.setItem(`${LIKES_KEY}.${userId}`, JSON.stringify(withLike(likedIds(userId), commentId, liked, LIKES_KEPT)));
  } catch {
    /* storage full: the like itself still stands on the server */
  }
}

/** `ids` with `commentId` last if `liked`, without it if not; the latest `kept` of them. */
export function withLike(ids: readonly string[], commentId: string, liked: boolean, kept: number): string[] {
  const others = ids.filter((id) => id !== commentId);
  if (liked) others.push(commentId);
  return others.slice(-kept);
}
