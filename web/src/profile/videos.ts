/** A profile's videos: a grid of poster tiles read by page as it scrolls into view. Posters of
 * non-public videos are signed for the viewer and need their bearer, which an <img> cannot send: they
 * are fetched when their tile nears the screen and shown from a blob. */

import { authHeaders, get, videoDetails } from "../api";
import { formatCount, h } from "../dom";
import { errorState, spinner } from "../ui";
import { tileBadge, tileLabel, type VideoItem, type VideoPage } from "./display";

/** The private posters of one profile view: fetched as they near the screen, freed with the view. */
export class Posters {
  private readonly waiting = new Map<Element, () => void>();
  private readonly urls: string[] = [];
  private readonly observer = "IntersectionObserver" in window
    ? new IntersectionObserver((entries) => {
        for (const entry of entries) {
          if (!entry.isIntersecting) continue;
          this.observer?.unobserve(entry.target);
          this.waiting.get(entry.target)?.();
          this.waiting.delete(entry.target);
        }
      }, { rootMargin: "300px" })
    : null;

  constructor(private readonly signal: AbortSignal) {}

  /** Shows `poster` in `img` once `tile` nears the screen. */
  show(tile: Element, img: HTMLImageElement, poster: string): void {
    const load = (): void => {
      fetch(poster, { headers: authHeaders(), signal: this.signal })
        .then((r) => (r.ok ? r.blob() : Promise.reject(new Error(String(r.status)))))
        .then((blob) => {
          const url = URL.createObjectURL(blob);
          this.urls.push(url);
          img.src = url;
        })
        .catch(() => undefined);
    };
    if (this.observer) {
      this.waiting.set(tile, load);
      this.observer.observe(tile);
    } else load();
  }

  destroy(): void {
    this.observer?.disconnect();
    for (const url of this.urls) URL.revokeObjectURL(url);
  }
}

/** The grid; `observer` is what reads the next page as its end comes into view, to disconnect with the view. */
export function videoGrid(userId: string, signal: AbortSignal, posters: Posters): { el: HTMLElement; observer: IntersectionObserver | null } {
  const section = h("section", { class: "profile-videos", "aria-label": "Videos" });
  const grid = h("ul", { class: "video-grid", role: "list" });
  const more = h("div", { class: "grid-more" });
  section.append(grid, more);
  let cursor: string | null = null;
  let loading = false;
  let done = false;

  const loadPage = async (): Promise<void> => {
    if (loading || done) return;
    loading = true;
    more.replaceChildren(spinner("Loading videos"));
    try {
      const page: VideoPage = await get<VideoPage>(`/v1/users/${userId}/videos`, { limit: 18, cursor }, signal);
      for (const item of page.items) grid.append(tile(item, signal, posters));
      cursor = page.next_cursor;
      done = cursor === null;
      more.replaceChildren();
      if (done && grid.childElementCount === 0) {
        more.replaceChildren(h("p", { class: "grid-empty", role: "status" }, "No videos yet"));
      } else if (!done) {
        more.append(h("button", { class: "button secondary", type: "button", onclick: () => void loadPage() }, "Load more videos"));
        // A short page (others' private videos are skipped) may not fill the screen: keep going.
        if (page.items.length === 0) queueMicrotask(() => void loadPage());
      }
    } catch (error) {
      if (signal.aborted) return;
      more.replaceChildren(errorState(error, () => void loadPage()));
    } finally {
      loading = false;
    }
  };

  let observer: IntersectionObserver | null = null;
  if ("IntersectionObserver" in window) {
    observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) void loadPage();
    }, { rootMargin: "400px" });
    observer.observe(more);
  }
  void loadPage();
  return { el: section, observer };
}

function tile(item: VideoItem, signal: AbortSignal, posters: Posters): HTMLElement {
  const img = h("img", { alt: "", loading: "lazy", decoding: "async" });
  const link = h("a", { class: "video-tile", href: `/v/${item.video_id}`, "aria-label": tileLabel(item) }, img);
  const badge = tileBadge(item.visibility);
  if (badge) link.append(h("span", { class: "tile-badge", "aria-hidden": "true" }, badge));
  videoDetails(item.video_id, signal).then(
    (details) => {
      const poster = details.playback.poster;
      if (poster && details.playback.expires_at === null) img.src = poster;
      else if (poster) posters.show(link, img, poster);
      if (details.caption) link.setAttribute("aria-label", tileLabel(item, details.caption));
      link.append(h("span", { class: "tile-views", "aria-hidden": "true" }, `▶ ${formatCount(details.stats.views)}`));
    },
    () => undefined,
  );
  return h("li", {}, link);
}
