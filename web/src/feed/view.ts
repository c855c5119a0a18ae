/**
 * The feed: For You and Following as a full-screen vertical scroll-snap list of slides, and the same
 * player for a single video (`/v/<id>`, the share link's target).
 *
 * The slide at least 60% in view is the active one: it plays, every other slide is paused. The next
 * slide preloads (manifest and first segment), at most three slides keep a stream attached, and more
 * pages are read by cursor as the viewer nears the end.
 */

import "./feed.css";
import { ApiError, get, videoDetails, type FeedPage } from "../api";
import { h } from "../dom";
import type { View } from "../router";
import { currentSession } from "../session";
import { emptyState, errorState, spinner } from "../ui";
import { warmUp } from "../player/hls";
import { ownerTools } from "../upload/captions";
import { Slide, type SlideEntry } from "./slide";

type Kind = "for-you" | "following";

const PAGE_SIZE = 10;
/** Read the next page when the active slide is this close to the end. */
const LOAD_AHEAD = 3;
/** Pages that add no new video (all duplicates or gone) are followed at most this often in a row. */
const EMPTY_PAGES_MAX = 5;
const ACTIVE_RATIO = 0.6;

interface Source {
  next(cursor: string | null): Promise<FeedPage>;
  /** What to show when the feed ends before its first video: `caughtUp` when videos exist but the
   * viewer saw them all lately. */
  empty(caughtUp: boolean): HTMLElement;
}

const feedSources: Record<Kind, Source> = {
  "for-you": {
    next: (cursor) => get<FeedPage>("/v1/feed/for-you", { limit: PAGE_SIZE, cursor }),
    empty: (caughtUp) =>
      caughtUp
        ? emptyState("You're all caught up", "You have seen every video here lately. New ones will show up as they are published.", {
            label: "See who you follow",
            href: "/following",
          })
        : emptyState("No videos yet", "Nothing has been published lately. Be the first!", { label: "Upload a video", href: "/upload" }),
  },
  following: {
    next: (cursor) => get<FeedPage>("/v1/feed/following", { limit: PAGE_SIZE, cursor }),
    empty: () => emptyState("Nothing here yet", "Follow creators to see their videos here", { label: "Discover on For You", href: "/" }),
  },
};

function tabs(kind: Kind): HTMLElement {
  const tab = (href: string, label: string, selected: boolean): HTMLElement =>
    h("a", { href, role: "tab", "aria-selected": String(selected), class: selected ? "active" : "" }, label);
  return h("nav", { class: "feed-tabs", role: "tablist", "aria-label": "Feeds" },
    tab("/", "For You", kind === "for-you"),
    tab("/following", "Following", kind === "following"),
  );
}

const reducedMotion = (): boolean => window.matchMedia("(prefers-reduced-motion: reduce)").matches;

/** A sheet or dialog (comments) is showing: the feed leaves the keyboard to it. */
function dialogOpen(): boolean {
  return [...document.querySelectorAll("[role='dialog'], dialog[open]")].some((d) => d.getClientRects().length > 0);
}

function inForm(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  return target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']") !== null;
}

/** The scroll-snap list, its slides, paging, the active slide and the keyboard. */
class Feed {
  readonly el: HTMLElement;
  private readonly footer: HTMLElement;
  private readonly slides: Slide[] = [];
  private readonly seen = new Set<string>();
  private readonly observer: IntersectionObserver;
  private readonly ratios = new Map<Element, number>();
  private active: Slide | null = null;
  private cursor: string | null = null;
  private ended = false;
  private caughtUp = false;
  private loadingPage: Promise<void> | null = null;
  private destroyed = false;
  private readonly cleanups: (() => void)[] = [];

  constructor(private readonly source: Source | null, first: SlideEntry[] = []) {
    this.footer = h("div", { class: "feed-footer" });
    this.el = h("div", { class: "feed", "data-feed": "", "aria-label": "Videos", role: "feed", "aria-busy": "false" }, this.footer);
    this.observer = new IntersectionObserver((entries) => this.onIntersect(entries), {
      root: this.el,
      threshold: [0, 0.25, ACTIVE_RATIO, 0.9, 1],
    });
    this.observer.observe(this.footer);

    const onKey = (event: KeyboardEvent): void => this.onKey(event);
    const onVisibility = (): void => {
      if (document.visibilityState === "hidden") this.active?.deactivate();
      else if (this.active) this.activate(this.active);
    };
    // Back online after a failed page: try again without waiting for a tap.
    const onOnline = (): void => {
      if (this.footer.querySelector(".state-error")) void this.loadMore();
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("visibilitychange", onVisibility);
    window.addEventListener("online", onOnline);
    this.cleanups.push(
      () => document.removeEventListener("keydown", onKey),
      () => document.removeEventListener("visibilitychange", onVisibility),
      () => window.removeEventListener("online", onOnline),
    );

    if (first.length) {
      this.add(first);
      this.ended = true;
      this.footer.hidden = true;
    } else {
      void this.loadMore();
    }
  }

  // ---- pages ----

  private loadMore(): Promise<void> {
    if (!this.source || this.ended || this.destroyed) return Promise.resolve();
    this.loadingPage ??= this.readPages().finally(() => (this.loadingPage = null));
    return this.loadingPage;
  }

  private async readPages(): Promise<void> {
    const source = this.source!;
    const initial = this.slides.length === 0;
    this.el.setAttribute("aria-busy", "true");
    this.footer.replaceChildren(spinner(initial ? "Loading videos" : "Loading more videos"));
    try {
      for (let i = 0; i < EMPTY_PAGES_MAX; i++) {
        const page = await source.next(this.cursor);
        if (this.destroyed) return;
        this.cursor = page.next_cursor;
        this.ended = page.next_cursor === null;
        // For You says, when it ends, whether the viewer saw everything there is.
        this.caughtUp = "caught_up" in page && page.caught_up === true;
        if (this.add(page.items) > 0 || this.ended) break;
      }
      this.renderFooter();
    } catch (error) {
      if (this.destroyed) return;
      this.footer.replaceChildren(errorState(error, () => void this.loadMore()));
    } finally {
      this.el.setAttribute("aria-busy", "false");
    }
  }

  private renderFooter(): void {
    if (!this.ended) {
      this.footer.replaceChildren();
      return;
    }
    if (this.slides.length === 0) {
      this.footer.replaceChildren(this.source!.empty(this.caughtUp));
    } else {
      this.footer.replaceChildren(
        emptyState("You're all caught up", "There are no more videos here for now.", { label: "Back to the top", href: "#top" }),
      );
      const top = this.footer.querySelector("a");
      top?.addEventListener("click", (event) => {
        event.preventDefault();
        this.slides[0]?.el.scrollIntoView({ behavior: reducedMotion() ? "auto" : "smooth", block: "start" });
      });
    }
  }

  /** Appends new slides (ids already in the feed are skipped); returns how many were added. */
  private add(entries: SlideEntry[]): number {
    // Scroll snapping keeps the snapped element in view as content changes: the viewer waiting at the
    // footer is taken to the first new slide instead of staying with the footer.
    const atFooter = this.slides.length === 0 || this.active === null;
    let added = 0;
    let firstNew: Slide | null = null;
    for (const entry of entries) {
      if (this.seen.has(entry.video_id)) continue;
      this.seen.add(entry.video_id);
      const slide = new Slide(entry, (gone) => this.remove(gone));
      this.slides.push(slide);
      this.el.insertBefore(slide.el, this.footer);
      this.observer.observe(slide.el);
      firstNew ??= slide;
      added += 1;
    }
    if (atFooter && firstNew) firstNew.el.scrollIntoView({ block: "start", behavior: "instant" });
    // The first slide of a fresh feed is shown before any scroll: read its details at once.
    if (added && !this.active) void this.slides[0]?.load();
    return added;
  }

  private remove(slide: Slide): void {
    const index = this.slides.indexOf(slide);
    if (index < 0) return;
    this.slides.splice(index, 1);
    this.observer.unobserve(slide.el);
    this.ratios.delete(slide.el);
    const wasActive = this.active === slide;
    slide.destroy();
    slide.el.remove();
    if (wasActive) this.active = null;
    if (this.slides.length === 0) {
      if (this.ended) this.renderFooter();
      else void this.loadMore();
      return;
    }
    // The slide that takes its place is prepared (and played, when it took the active one's place).
    const next = this.slides[Math.min(index, this.slides.length - 1)]!;
    if (wasActive) this.activate(next);
    else if (this.active) this.prepareAround(this.slides.indexOf(this.active));
  }

  // ---- the active slide ----

  private onIntersect(entries: IntersectionObserverEntry[]): void {
    for (const entry of entries) this.ratios.set(entry.target, entry.isIntersecting ? entry.intersectionRatio : 0);
    let best: Element | null = null;
    let bestRatio = 0;
    for (const [el, ratio] of this.ratios) {
      if (ratio >= ACTIVE_RATIO && ratio > bestRatio) {
        best = el;
        bestRatio = ratio;
      }
    }
    if (!best) return; // mid-scroll: the current slide stays active until another fills the screen
    if (best === this.footer) {
      this.active?.deactivate();
      this.active = null;
      void this.loadMore();
      return;
    }
    const slide = this.slides.find((s) => s.el === best);
    if (slide && slide !== this.active) this.activate(slide);
  }

  private activate(slide: Slide): void {
    if (this.destroyed) return;
    if (this.active && this.active !== slide) this.active.deactivate();
    this.active = slide;
    const index = this.slides.indexOf(slide);
    // The slide reads its details itself (and offers a retry if that fails) before it plays.
    if (document.visibilityState !== "hidden") slide.activate();
    this.prepareAround(index);
    if (this.slides.length - index <= LOAD_AHEAD) void this.loadMore();
  }

  /** The next slide preloads; slides further than one away let go of their streams. */
  private prepareAround(index: number): void {
    this.slides.forEach((slide, i) => {
      if (Math.abs(i - index) > 1) slide.detach();
    });
    const next = this.slides[index + 1];
    if (next) {
      void next.load().then((ok) => {
        if (ok && this.active && Math.abs(this.slides.indexOf(next) - this.slides.indexOf(this.active)) === 1) {
          void next.attach("preload");
        }
      });
    }
  }

  // ---- keyboard ----

  private onKey(event: KeyboardEvent): void {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    if (inForm(event.target) || dialogOpen()) return;
    switch (event.key) {
      case "ArrowDown":
      case "PageDown":
      case "j":
        this.step(1);
        break;
      case "ArrowUp":
      case "PageUp":
      case "k":
        this.step(-1);
        break;
      case " ":
      case "Spacebar": {
        const target = event.target instanceof Element ? event.target : null;
        if (target?.closest("button, a, [role='slider']")) return; // those have their own Space
        this.active?.togglePause();
        break;
      }
      default:
        return;
    }
    event.preventDefault();
  }

  private step(by: 1 | -1): void {
    const index = this.active ? this.slides.indexOf(this.active) : this.slides.length;
    const target = index + by;
    const el = target >= this.slides.length ? (by > 0 ? this.footer : null) : this.slides[Math.max(0, target)]?.el;
    el?.scrollIntoView({ behavior: reducedMotion() ? "auto" : "smooth", block: "start" });
  }

  destroy(): void {
    this.destroyed = true;
    this.observer.disconnect();
    for (const cleanup of this.cleanups) cleanup();
    for (const slide of this.slides) slide.destroy();
    this.active = null;
  }
}

export function feedView(kind: Kind): View {
  const el = h("div", { class: "feed-view" }, tabs(kind));
  if (kind === "following" && !currentSession()) {
    el.append(h("div", { class: "feed-state" },
      emptyState("See who you follow", "Sign in to see videos from the creators you follow.", {
        label: "Sign in",
        href: `/signin?next=${encodeURIComponent("/following")}`,
      }),
    ));
    return { el, title: "Following" };
  }
  warmUp();
  const feed = new Feed(feedSources[kind]);
  el.append(feed.el);
  return { el, title: kind === "for-you" ? "For You" : "Following", destroy: () => feed.destroy() };
}

export function videoView(videoId: string): View {
  const back = h("a", { class: "feed-back", href: "/", "aria-label": "Back to feed" }, h("span", { "aria-hidden": "true" }, "‹"), " Feed");
  const el = h("div", { class: "feed-view single" }, back);
  warmUp();
  let feed: Feed | null = null;
  let destroyed = false;

  const show = async (): Promise<void> => {
    const state = h("div", { class: "feed-state" }, spinner("Loading video"));
    el.replaceChildren(back, state);
    try {
      const details = await videoDetails(videoId);
      if (destroyed) return;
      feed?.destroy();
      feed = new Feed(null, [{ video_id: details.video_id, owner_id: details.owner_id, details }]);
      el.replaceChildren(back, feed.el, ownerTools(details, currentSession()?.userId ?? null, () => void show()) ?? "");
    } catch (error) {
      if (destroyed) return;
      // 422: not even a well-formed id.
      const missing = error instanceof ApiError && [403, 404, 410, 422].includes(error.status);
      state.replaceChildren(
        missing
          ? emptyState("Video not available", "This video was removed or is not visible to you.", { label: "Go to the feed", href: "/" })
          : errorState(error, () => void show()),
      );
    }
  };
  void show();
  return {
    el,
    title: "Video",
    destroy: () => {
      destroyed = true;
      feed?.destroy();
    },
  };
}
