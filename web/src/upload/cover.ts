/**
 * Choosing a video's cover: the owner scrubs through the video with a slider (arrow keys move it a
 * tenth of a second, Page Up and Down a second), sees the frame it lands on, and saves it. The server
 * makes the picture from the video's own rendition a moment later; this view waits for the video's
 * poster to change (a new URL: nothing cached shows the old frame) and then shows it.
 */

import "./cover.css";
import { authHeaders, describe, request, videoDetails, type Playback, type VideoDetails } from "../api";
import { h } from "../dom";
import { openStream, type Stream } from "../player/hls";
import type { View } from "../router";
import type { Schemas } from "../schemas";
import { currentSession } from "../session";
import { emptyState, errorState, spinner, toast } from "../ui";

const STEP_MS = 100;
const PAGE_MS = 1000;
const POLL_MS = 1000;
const WAIT_MS = 90_000;


/** "0:02.5": minutes, seconds and tenths, as a scrubber reads. */
export function formatAt(ms: number): string {
  const tenths = Math.max(0, Math.round(ms / 100));
  const minutes = Math.floor(tenths / 600);
  const seconds = Math.floor((tenths % 600) / 10);
  return `${minutes}:${String(seconds).padStart(2, "0")}.${tenths % 10}`;
}

/** The link an owner follows from their upload or their video to choose its cover. */
export function coverLink(videoId: string): HTMLAnchorElement {
  return h("a", { class: "button secondary", href: `/v/${videoId}/cover` }, "Choose a cover");
}

export function coverView(videoId: string): View {
  const el = h("section", { class: "cover-chooser" }, h("h1", {}, "Choose a cover"));
  const body = h("div", { class: "cover-body" }, spinner("Loading your video"));
  el.append(body);
  const controller = new AbortController();
  const blobs: string[] = [];
  let stream: Stream | null = null;

  const me = currentSession()?.userId;
  if (!me) {
    body.replaceChildren(emptyState("Sign in to choose a cover", "Only a video's owner chooses its cover.", {
      label: "Sign in",
      href: `/signin?next=${encodeURIComponent(`/v/${videoId}/cover`)}`,
    }));
  } else {
    void load();
  }

  async function load(): Promise<void> {
    try {
      const details = await videoDetails(videoId, controller.signal);
      if (controller.signal.aborted) return;
      if (details.owner_id !== me) {
        body.replaceChildren(emptyState("Not your video", "Only a video's owner chooses its cover.", { label: "Back to the video", href: `/v/${videoId}` }));
      } else if (!details.playback.master_playlist || !details.media.duration_ms) {
        body.replaceChildren(emptyState("Not ready yet", "A cover can be chosen once the video is processed.", { label: "Back to the video", href: `/v/${videoId}` }));
      } else {
        chooser(details, details.media.duration_ms, details.playback.master_playlist);
      }
    } catch (error) {
      if (!controller.signal.aborted) body.replaceChildren(errorState(error, () => void load()));
    }
  }

  function chooser(details: VideoDetails, durationMs: number, master: string): void {
    const video = h("video", { class: "cover-preview", muted: true, playsinline: true, preload: "auto", "aria-label": "The chosen frame" });
    video.muted = true;
    const slider = h("input", {
      type: "range", id: "cover-at", name: "at_ms", min: "0", max: String(Math.max(0, durationMs - 1)),
      step: String(STEP_MS), value: "0", "aria-describedby": "cover-at-hint",
    });
    const readout = h("output", { for: "cover-at", class: "cover-readout" }, formatAt(0));
    const save = h("button", { class: "button", type: "submit" }, "Save cover");
    const status = h("p", { class: "cover-status", role: "status", "aria-live": "polite" });
    const problem = h("p", { class: "form-problem", role: "alert", hidden: true });
    const current = h("img", { class: "cover-current", alt: "The video's cover now" });
    showPoster(current, details.playback);

    const at = (): number => Number(slider.value);
    const paint = (): void => {
      readout.textContent = formatAt(at());
      slider.setAttribute("aria-valuetext", `${formatAt(at())} of ${formatAt(durationMs)}`);
      if (video.readyState >= 1) video.currentTime = at() / 1000;
    };
    slider.addEventListener("input", paint);
    slider.addEventListener("keydown", (event) => {
      // Page Up and Down jump a second, whatever step the browser would take.
      const jump = event.key === "PageUp" ? PAGE_MS : event.key === "PageDown" ? -PAGE_MS : 0;
      if (!jump) return;
      event.preventDefault();
      slider.value = String(Math.min(Number(slider.max), Math.max(0, at() + jump)));
      paint();
    });
    video.addEventListener("loadedmetadata", () => {
      video.pause();
      paint();
    }, { once: true });

    const form = h("form", { class: "cover-form", "aria-label": "Choose a cover", novalidate: true },
      h("div", { class: "cover-stage" }, video),
      h("div", { class: "cover-scrub" },
        h("label", { for: "cover-at" }, "Cover frame"),
        slider,
        readout,
      ),
      h("p", { class: "hint", id: "cover-at-hint" }, "Slide to the frame people see before they play your video."),
      problem,
      h("div", { class: "cover-actions" }, save, h("a", { class: "button secondary", href: `/v/${videoId}` }, "Back to the video")),
      status,
      h("figure", { class: "cover-now" }, current, h("figcaption", {}, "Cover now")),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (save.disabled) return;
      problem.hidden = true;
      save.disabled = true;
      slider.disabled = true;
      status.textContent = "Saving…";
      const before = details.playback.poster;
      try {
        const choice: Schemas["CoverChoice"] = { at_ms: at() };
        await request<Schemas["CoverChosen"]>("PUT", `/v1/videos/${videoId}/cover`, { body: choice });
        status.textContent = "Making your cover…";
        const made = await posterAfter(before);
        if (made) {
          details.playback = made;
          showPoster(current, made);
          status.textContent = `Cover saved: the frame at ${formatAt(at())}`;
          toast("Cover saved");
        } else {
          status.textContent = "Your cover is still being made; it shows once it is ready.";
        }
      } catch (error) {
        status.textContent = "";
        problem.textContent = describe(error);
        problem.hidden = false;
      } finally {
        save.disabled = false;
        slider.disabled = false;
      }
    });
    body.replaceChildren(form);
    openStream(video, master, "play", (message) => {
      status.textContent = message;
    }).then(
      (opened) => {
        if (controller.signal.aborted) opened.destroy();
        else stream = opened;
      },
      (error: unknown) => {
        status.textContent = error instanceof Error ? error.message : "The video cannot be shown";
      },
    );
  }

  /** The playback URLs once the poster differs from `before`; null if it has not in a while. */
  async function posterAfter(before: string | null): Promise<Playback | null> {
    const deadline = Date.now() + WAIT_MS;
    while (Date.now() < deadline && !controller.signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      const fresh = await videoDetails(videoId, controller.signal).catch(() => null);
      if (fresh?.playback.poster && fresh.playback.poster !== before) return fresh.playback;
    }
    return null;
  }

  /** A public video's poster loads as it is; another's is signed for the viewer and needs their bearer. */
  function showPoster(img: HTMLImageElement, playback: Playback): void {
    const url = playback.poster;
    if (!url) return;
    if (playback.expires_at === null) {
      img.src = url;
      return;
    }
    fetch(url, { headers: authHeaders(), signal: controller.signal })
      .then((r) => (r.ok ? r.blob() : Promise.reject(new Error(String(r.status)))))
      .then((blob) => {
        const local = URL.createObjectURL(blob);
        blobs.push(local);
        img.src = local;
      })
      .catch(() => undefined);
  }

  return {
    el,
    title: "Choose a cover",
    destroy() {
      controller.abort();
      stream?.destroy();
      for (const url of blobs) URL.revokeObjectURL(url);
    },
  };
}
