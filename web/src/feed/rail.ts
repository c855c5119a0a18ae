/**
 * The action rail on the right of a slide: the creator (profile link and Follow), Like, Comments and
 * Share, each with its count. Likes are optimistic: the count moves at once and goes back, with a
 * toast, if the API refuses.
 */

import { describe, follow, profileOf, request, videoDetails, type Profile, type VideoDetails } from "../api";
import { whenSignedIn } from "../auth/sheet";
import { openComments } from "../comments/sheet";
import { formatCount, h } from "../dom";
import { icon } from "./icons";
import { currentSession } from "../session";
import { toast } from "../ui";

export interface Rail {
  el: HTMLElement;
  /** Shows the creator once their profile is read. */
  setProfile(profile: Profile): void;
  /** A double tap: likes (never un-likes). False when signed out (asked to sign in first). */
  like(): boolean;
  destroy(): void;
}

/** Follows made on one slide show on every other slide of the same creator. */
const FOLLOW_EVENT = "strom:follow";
interface FollowDetail {
  userId: string;
  following: boolean;
}

const count = (name: string, n: number): HTMLElement =>
  h("span", { class: "rail-count", "data-count": name }, formatCount(n));

/** Copies the link; says so either way. */
async function copy(url: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(url);
    toast("Link copied");
    return true;
  } catch {
    toast(`Copy this link: ${url}`);
    return false;
  }
}

export function actionRail(video: VideoDetails): Rail {
  // ---- like ----
  let liked = video.liked_by_me === true;
  let likes = video.stats.likes;
  let confirmed = { liked, likes };
  let chain: Promise<void> = Promise.resolve();
  const likeCount = count("likes", likes);
  const likeButton = h("button", {
    type: "button",
    class: "rail-button like",
    "aria-label": "Like",
    "aria-pressed": String(liked),
    onclick: () => void setLiked(!liked),
  }, icon("heart", "rail-icon"), likeCount);

  const renderLike = (): void => {
    likeButton.setAttribute("aria-pressed", String(liked));
    likeCount.textContent = formatCount(Math.max(0, likes));
  };

  function setLiked(on: boolean): boolean {
    if (!currentSession()) {
      void likeAfterSignIn();
      return false;
    }
    if (on === liked) return true;
    liked = on;
    likes += on ? 1 : -1;
    renderLike();
    // One request at a time, in order, so the last tap is the state the API ends with.
    chain = chain.then(async () => {
      if (confirmed.liked === on) return;
      try {
        const result = await request<{ liked: boolean }>(on ? "PUT" : "DELETE", `/v1/videos/${video.video_id}/like`);
        confirmed = { liked: result.liked, likes: confirmed.likes + (result.liked === confirmed.liked ? 0 : result.liked ? 1 : -1) };
      } catch (error) {
        liked = confirmed.liked;
        likes = confirmed.likes;
        renderLike();
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
      renderLike();
    } catch {
      // the like below still goes through; the count may be one off until the next read
    }
    setLiked(true);
  }

  // ---- comments ----
  const commentCount = count("comments", video.stats.comments);
  const commentsButton = h("button", {
    type: "button",
    class: "rail-button comments",
    "aria-label": "Comments",
    onclick: () =>
      openComments(
        { video_id: video.video_id, owner_id: video.owner_id, comments_allowed: video.comments_allowed },
        (n) => (commentCount.textContent = formatCount(Math.max(0, n))),
      ),
  }, icon("comment", "rail-icon"), commentCount);

  // ---- share ----
  let shares = video.stats.shares;
  const shareCount = count("shares", shares);
  const shareButton = h("button", {
    type: "button",
    class: "rail-button share",
    "aria-label": "Share",
    onclick: () => void share(),
  }, icon("share", "rail-icon"), shareCount);

  async function share(): Promise<void> {
    const url = `${location.origin}/v/${video.video_id}`;
    let channel: "other" | "copy_link";
    if (typeof navigator.share === "function") {
      try {
        await navigator.share({ url, title: video.caption ?? "A video on Strom" });
        channel = "other";
      } catch (error) {
        if (error instanceof DOMException && error.name === "AbortError") return; // dismissed
        if (!(await copy(url))) return;
        channel = "copy_link";
      }
    } else {
      if (!(await copy(url))) return;
      channel = "copy_link";
    }
    if (!currentSession()) return; // recording a share needs a viewer
    shares += 1;
    shareCount.textContent = formatCount(shares);
    try {
      await request("POST", `/v1/videos/${video.video_id}/shares`, { body: { channel } });
    } catch {
      shares -= 1;
      shareCount.textContent = formatCount(shares);
    }
  }

  // ---- creator ----
  const avatar = h("span", { class: "avatar-initial", "aria-hidden": "true" }, "·");
  const profileLink = h("a", { class: "rail-avatar", href: `/u/${video.owner_id}`, "aria-label": "Creator profile" }, avatar);
  const creator = h("div", { class: "rail-creator" }, profileLink);
  let followButton: HTMLButtonElement | null = null;
  let following = false;
  let handle = "";

  const renderFollow = (): void => {
    if (!followButton) return;
    followButton.setAttribute("aria-label", `${following ? "Unfollow" : "Follow"} ${handle}`);
    followButton.classList.toggle("following", following);
    followButton.replaceChildren(icon(following ? "check" : "plus"));
  };

  const onFollowEvent = (event: Event): void => {
    const detail = (event as CustomEvent<FollowDetail>).detail;
    if (detail.userId !== video.owner_id) return;
    following = detail.following;
    renderFollow();
  };

  function setProfile(profile: Profile): void {
    handle = profile.handle ?? "";
    profileLink.setAttribute("aria-label", `Profile of ${handle}`);
    const picture = profile.avatar_url
      ? h("img", { src: profile.avatar_url, alt: "", loading: "lazy", decoding: "async" })
      : h("span", { class: "avatar-initial", "aria-hidden": "true" }, (profile.display_name || handle || "?").charAt(0).toUpperCase());
    profileLink.replaceChildren(picture);
    const session = currentSession();
    const own = session?.userId === video.owner_id;
    // Signed out, "+" is offered too: it asks to sign in first.
    if (own || (session && profile.followed_by_me !== false) || followButton) return;
    followButton = h("button", {
      type: "button",
      class: "rail-follow",
      onclick: async () => {
        if (!followButton) return;
        const signedOut = !currentSession();
        if (signedOut && !(await whenSignedIn(`Sign in to follow ${handle}`))) return;
        followButton.disabled = true;
        try {
          let want = !following;
          if (signedOut) {
            // Who they are was unknown when the button was drawn: they may be this creator or follow them already.
            const fresh = await profileOf(video.owner_id, true);
            if (currentSession()?.userId === video.owner_id) {
              followButton.remove();
              return;
            }
            want = true;
            if (fresh.followed_by_me === true) {
              following = true;
              renderFollow();
              return;
            }
          }
          following = await follow(video.owner_id, want);
          document.dispatchEvent(new CustomEvent<FollowDetail>(FOLLOW_EVENT, { detail: { userId: video.owner_id, following } }));
          toast(following ? `Following ${handle}` : `Unfollowed ${handle}`);
        } catch (error) {
          toast(describe(error));
        } finally {
          followButton.disabled = false;
        }
      },
    });
    renderFollow();
    creator.append(followButton);
    document.addEventListener(FOLLOW_EVENT, onFollowEvent);
  }

  const el = h("div", { class: "rail" }, creator, likeButton, commentsButton, shareButton);
  return {
    el,
    setProfile,
    like: () => setLiked(true),
    destroy: () => document.removeEventListener(FOLLOW_EVENT, onFollowEvent),
  };
}
