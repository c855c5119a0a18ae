/** Follow / Unfollow on someone else's profile: optimistic, put back with a toast if the server refuses. */

import { describe, follow, type Profile } from "../api";
import { formatCount, h } from "../dom";
import { requireSignIn, toast } from "../ui";
import { followButton as shown, followersAfter } from "./display";

export function followButton(p: Profile, followersEl: HTMLElement): HTMLButtonElement {
  let following = p.followed_by_me === true;
  let busy = false;
  const button = h("button", { type: "button", class: "button" });
  const paint = (): void => {
    const state = shown(following);
    button.textContent = state.label;
    button.className = state.className;
    button.setAttribute("aria-pressed", state.pressed);
    followersEl.textContent = formatCount(p.followers);
  };
  button.addEventListener("click", async () => {
    if (busy || !requireSignIn()) return;
    busy = true;
    const want = !following;
    following = want;
    p.followers = followersAfter(p.followers, want);
    paint();
    try {
      const now = await follow(p.user_id, want);
      if (now !== want) {
        following = now;
        p.followers = followersAfter(p.followers, now);
        paint();
      }
    } catch (error) {
      following = !want;
      p.followers = followersAfter(p.followers, !want);
      paint();
      toast(describe(error));
    } finally {
      busy = false;
    }
  });
  paint();
  return button;
}
