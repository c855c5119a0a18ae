/** The rail's creator: their picture linking to their profile, and a "+" to follow them. Follows made
 * on one slide show on every other slide of the same creator. */

import { describe, follow, profileOf, type Profile, type VideoDetails } from "../api";
import { whenSignedIn } from "../auth/sheet";
import { h } from "../dom";
import { initialOf } from "../format";
import { currentSession } from "../session";
import { toast } from "../ui";
import { icon } from "./icons";
import { followLabel, followedNote, offersFollow } from "./rail-display";

const FOLLOW_EVENT = "strom:follow";
interface FollowDetail {
  userId: string;
  following: boolean;
}

export interface Creator {
  el: HTMLElement;
  /** Shows the creator once their profile is read. */
  setProfile(profile: Profile): void;
  destroy(): void;
}

export function creatorOf(video: VideoDetails): Creator {
  const avatar = h("span", { class: "avatar-initial", "aria-hidden": "true" }, "·");
  const profileLink = h("a", { class: "rail-avatar", href: `/u/${video.owner_id}`, "aria-label": "Creator profile" }, avatar);
  const el = h("div", { class: "rail-creator" }, profileLink);
  let followButton: HTMLButtonElement | null = null;
  let following = false;
  let handle = "";

  const renderFollow = (): void => {
    if (!followButton) return;
    followButton.setAttribute("aria-label", followLabel(following, handle));
    followButton.classList.toggle("following", following);
    followButton.replaceChildren(icon(following ? "check" : "plus"));
  };

  const onFollowEvent = (event: Event): void => {
    const detail = (event as CustomEvent<FollowDetail>).detail;
    if (detail.userId !== video.owner_id) return;
    following = detail.following;
    renderFollow();
  };

  async function toggleFollow(button: HTMLButtonElement): Promise<void> {
    const signedOut = !currentSession();
    if (signedOut && !(await whenSignedIn(`Sign in to follow ${handle}`))) return;
    button.disabled = true;
    try {
      let want = !following;
      if (signedOut) {
        // Who they are was unknown when the button was drawn: they may be this creator or follow them already.
        const fresh = await profileOf(video.owner_id, true);
        if (currentSession()?.userId === video.owner_id) {
          button.remove();
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
      toast(followedNote(following, handle));
    } catch (error) {
      toast(describe(error));
    } finally {
      button.disabled = false;
    }
  }

  function setProfile(profile: Profile): void {
    handle = profile.handle ?? "";
    profileLink.setAttribute("aria-label", `Profile of ${handle}`);
    const small = profile.avatar_small_url ?? profile.avatar_url; // drawn small: the 96-pixel one
    const picture = small
      ? h("img", { src: small, alt: "", loading: "lazy", decoding: "async" })
      : h("span", { class: "avatar-initial", "aria-hidden": "true" }, initialOf(profile.display_name, handle));
    profileLink.replaceChildren(picture);
    if (followButton || !offersFollow(currentSession()?.userId ?? null, video.owner_id, profile.followed_by_me)) return;
    const button = h("button", { type: "button", class: "rail-follow", onclick: () => void toggleFollow(button) });
    followButton = button;
    renderFollow();
    el.append(button);
    document.addEventListener(FOLLOW_EVENT, onFollowEvent);
  }

  return { el, setProfile, destroy: () => document.removeEventListener(FOLLOW_EVENT, onFollowEvent) };
}
