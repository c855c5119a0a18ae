/**
 * The seek bar under each video: role=slider "Seek", dragged with a pointer (mouse, touch, pen) or
 * moved with the arrow keys, Home and End. Up and Down are left to the feed (next/previous video).
 * Its classes (`seek-*`) are its own: the upload page's progress bar is another thing.
 */

import { h } from "../dom";

export interface ProgressBar {
  el: HTMLElement;
  destroy(): void;
}

const KEY_STEP_S = 5;

function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export function progressBar(video: HTMLVideoElement, knownDurationS: number | null): ProgressBar {
  const fill = h("div", { class: "seek-fill" });
  const thumb = h("div", { class: "seek-thumb" });
  const track = h("div", { class: "seek-track" }, fill, thumb);
  const el = h("div", {
    class: "seek",
    role: "slider",
    tabindex: "0",
    "aria-label": "Seek",
    "aria-valuemin": "0",
    "aria-valuemax": String(Math.round(knownDurationS ?? 0)),
    "aria-valuenow": "0",
    "aria-valuetext": "0:00",
  }, track);

  let dragging = false;

  const duration = (): number => {
    const d = video.duration;
    return Number.isFinite(d) && d > 0 ? d : (knownDurationS ?? 0);
  };

  const render = (time: number): void => {
    const total = duration();
    const ratio = total > 0 ? Math.min(1, Math.max(0, time / total)) : 0;
    fill.style.transform = `scaleX(${ratio})`;
    thumb.style.left = `${ratio * 100}%`;
    el.setAttribute("aria-valuemax", String(Math.round(total)));
    el.setAttribute("aria-valuenow", String(Math.round(time)));
    el.setAttribute("aria-valuetext", `${clock(time)} of ${clock(total)}`);
  };

  const seek = (time: number): void => {
    const total = duration();
    if (total <= 0) return;
    const target = Math.min(Math.max(0, time), Math.max(0, total - 0.05));
    try {
      video.currentTime = target;
    } catch {
      // Nothing loaded yet: the position is shown and applied once media is there.
    }
    render(target);
  };

  const timeAt = (clientX: number): number => {
    const box = track.getBoundingClientRect();
    return box.width > 0 ? ((clientX - box.left) / box.width) * duration() : 0;
  };

  const onTime = (): void => {
    if (!dragging) render(video.currentTime);
  };
  video.addEventListener("timeupdate", onTime);
  video.addEventListener("durationchange", onTime);
  video.addEventListener("seeked", onTime);

  el.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    event.preventDefault();
    event.stopPropagation();
    dragging = true;
    el.classList.add("dragging");
    try {
      el.setPointerCapture(event.pointerId);
    } catch {
      // Synthetic events have no capturable pointer; moves still arrive on the element.
    }
    el.focus({ preventScroll: true });
    render(timeAt(event.clientX));
  });
  el.addEventListener("pointermove", (event) => {
    if (dragging) render(timeAt(event.clientX));
  });
  const finish = (event: PointerEvent): void => {
    if (!dragging) return;
    dragging = false;
    el.classList.remove("dragging");
    if (event.type === "pointerup") seek(timeAt(event.clientX));
    else render(video.currentTime);
  };
  el.addEventListener("pointerup", finish);
  el.addEventListener("pointercancel", finish);
  // A click on the bar is a seek, never a tap on the video.
  el.addEventListener("click", (event) => event.stopPropagation());
  el.addEventListener("keydown", (event) => {
    const now = video.currentTime;
    switch (event.key) {
      case "ArrowLeft":
        seek(now - KEY_STEP_S);
        break;
      case "ArrowRight":
        seek(now + KEY_STEP_S);
        break;
      case "Home":
        seek(0);
        break;
      case "End":
        seek(duration());
        break;
      default:
        return;
    }
    event.preventDefault();
    event.stopPropagation();
  });

  return {
    el,
    destroy() {
      video.removeEventListener("timeupdate", onTime);
      video.removeEventListener("durationchange", onTime);
      video.removeEventListener("seeked", onTime);
    },
  };
}
