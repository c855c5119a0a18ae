/**
 * The action rail on the right of a slide: the creator (profile link and Follow), Like, Comments and
 * Share, each with its count. Each is drawn by its own module (rail-creator.ts, rail-like.ts,
 * rail-share.ts); what they show in which state is decided in rail-display.ts.
 */

import type { Profile, VideoDetails } from "../api";
import { openComments } from "../comments/sheet";
import { formatCount, h } from "../dom";
import { icon } from "./icons";
import { creatorOf } from "./rail-creator";
import { likeButton } from "./rail-like";
import { shareButton } from "./rail-share";

export interface Rail {
  el: HTMLElement;
  /** Shows the creator once their profile is read. */
  setProfile(profile: Profile): void;
  /** A double tap: likes (never un-likes). False when signed out (asked to sign in first). */
  like(): boolean;
  destroy(): void;
}

export function actionRail(video: VideoDetails): Rail {
  const creator = creatorOf(video);
  const like = likeButton(video);
  const el = h("div", { class: "rail" }, creator.el, like.el, commentsButton(video), shareButton(video));
  return {
    el,
    setProfile: creator.setProfile,
    like: () => like.setLiked(true),
    destroy: creator.destroy,
  };
}

/** Comments, with their count kept as the sheet changes it. */
function commentsButton(video: VideoDetails): HTMLElement {
  const count = h("span", { class: "rail-count", "data-count": "comments" }, formatCount(video.stats.comments));
  return h("button", {
    type: "button",
    class: "rail-button comments",
    "aria-label": "Comments",
    onclick: () =>
      openComments(
        { video_id: video.video_id, owner_id: video.owner_id, comments_allowed: video.comments_allowed },
        (n) => (count.textContent = formatCount(Math.max(0, n))),
      ),
  }, icon("comment", "rail-icon"), count);
}
