/** The rail's Like: optimistic, the count moves at once and goes back, with a toast, if the API refuses. */

import { describe, request, videoDetails, type VideoDetails } from "../api";
import { whenSignedIn } from "../auth/sheet";
import { formatCount, h } from "../dom";
import type { Schemas } from "../schemas";
import { currentSession } from "../session";
import { toast } from "../ui";
import { icon } from "./icons";
import { confirmLike, shownLikes, type LikeState } from "./rail-display";

export interface LikeButton {
  el: HTMLElement;
  /** Likes (on) or un-likes; false when signed out (asked to sign in first, then liked). */
  setLiked(on: boolean): boolean;
}

export function likeButton(video: VideoDetails): LikeButton {
  let liked = video.liked_by_me === true;
  let likes = video.stats.likes;
  let confirmed: LikeState = { liked, likes };
  let chain: Promise<void> = Promise.resolve();
  const likeCount = h("span", { class: "rail-count", "data-count": "likes" }, formatCount(likes));
  const el = h("button", {
    type: "button",
    class: "rail-button like",
    "aria-label": "Like",
    "aria-pressed": String(liked),
    onclick: () => void setLiked(!liked),
  }, icon("heart", "rail-icon"), likeCount);

  const render = (): void => {
    el.setAttribute("aria-pressed", String(liked));
    likeCount.textContent = formatCount(shownLikes(likes));
  };

  function setLiked(on: boolean): boolean {
    if (!currentSession()) {
      void likeAfterSignIn();
      return false;
    }
    if (on === liked) return true;
    liked = on;
    likes += on ? 1 : -1;
    render();
    // One request at a time, in order, so the last tap is the state the API ends with.
    chain = chain.then(async () => {
      if (confirmed.liked === on) return;
      try {
        const result = await request<Schemas["VideoLikeResult"]>(on ? "PUT" : "DELETE", `/v1/videos/${video.video_id}/like`);
        confirmed = confirmLike(confirmed, result.liked);
      } catch (error) {
        liked = confirmed.liked;
        likes = confirmed.likes;
        render();
        toast(`Could not ${on ? "like" : "unlike"} the video: ${describe(error)}`);
      }
    });
    return true;
  }

  /** Signed out, a like asks to sign in over the feed, then is recorded on this same video. */
  async function likeAfterSignIn(): Promise<void> {
    if (!(await whenSignedIn("Sign in to like this video"))) return;
    // While signed out nobody's like was known: read this viewer's before counting theirs.
    try {
      const fresh = await videoDetails(video.video_id);
      liked = fresh.liked_by_me === true;
      likes = fresh.stats.likes;
      confirmed = { liked, likes };
      render();
    } catch {
      // the like below still goes through; the count may be one off until the next read
    }
    setLiked(true);
  }

  return { el, setLiked };
}
