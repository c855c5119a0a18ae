/** The rail's Share: the system share sheet where there is one, else the link copied; a share is
 * recorded (signed in) with its channel, and counted at once. */

import { request, type VideoDetails } from "../api";
import { formatCount, h } from "../dom";
import type { Schemas } from "../schemas";
import { currentSession } from "../session";
import { toast } from "../ui";
import { icon } from "./icons";
import { shareUrl } from "./rail-display";

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

export function shareButton(video: VideoDetails): HTMLElement {
  let shares = video.stats.shares;
  const shareCount = h("span", { class: "rail-count", "data-count": "shares" }, formatCount(shares));
  const el = h("button", {
    type: "button",
    class: "rail-button share",
    "aria-label": "Share",
    onclick: () => void share(),
  }, icon("share", "rail-icon"), shareCount);

  /** Where it went, or null when it did not (dismissed, or the link could not be copied). */
  async function sent(url: string): Promise<Schemas["ShareChannel"] | null> {
    if (typeof navigator.share === "function") {
      try {
        await navigator.share({ url, title: video.caption ?? "A video on Strom" });
        return "other";
      } catch (error) {
        if (error instanceof DOMException && error.name === "AbortError") return null; // dismissed
      }
    }
    return (await copy(url)) ? "copy_link" : null;
  }

  async function share(): Promise<void> {
    const channel = await sent(shareUrl(location.origin, video.video_id));
    if (channel === null) return;
    if (!currentSession()) return; // recording a share needs a viewer
    shares += 1;
    shareCount.textContent = formatCount(shares);
    try {
      const body: Schemas["ShareCreate"] = { channel };
      await request<Schemas["ShareCreated"]>("POST", `/v1/videos/${video.video_id}/shares`, { body });
    } catch {
      shares -= 1;
      shareCount.textContent = formatCount(shares);
    }
  }

  return el;
}
