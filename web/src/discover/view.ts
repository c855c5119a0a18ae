/** Discovery: the Discover tab (search while typing, trending hashtags and creators), a hashtag's
 * page at `/tag/<tag>`, and a profile at `/@handle`. */

import "./discover.css";
import { ApiError, videoDetails } from "../api";
import { h } from "../dom";
import { tagHref } from "../hashtags";
import { profileView } from "../profile/view";
import { route, type View } from "../router";
import { emptyState, errorState, spinner } from "../ui";
import { discover, hashtagPage, profileByHandle, search, type CreatorHit, type HashtagSort, type SearchPage } from "./api";
import { debounce, handleHref, nextIndex, planSearch } from "./query";

/** Registers the discovery routes with the shell's router. */
export function discoveryRoutes(): void {
  route("/discover", () => discoverView());
  route("/tag/:tag", ({ tag }) => tagView(tag!));
  route("/@:handle", ({ handle }) => handleView(handle!));
}

export function discoverView(): View {
  const controller = new AbortController();
  let inFlight: AbortController | null = null;
  let lastShown = "";
  const input = h("input", {
    type: "search",
    id: "discover-q",
    class: "discover-input",
    placeholder: "Search creators, #hashtags, videos",
    autocomplete: "off",
    enterkeyhint: "search",
    "aria-controls": "discover-results",
    "aria-describedby": "discover-hint",
    maxlength: 100,
  });
  const results = h("div", { id: "discover-results", class: "discover-results", "aria-live": "polite" });
  const trending = h("div", { class: "discover-trending" });
  const form = h("form", { role: "search", class: "discover-search", onsubmit: (e: Event) => e.preventDefault() },
    h("label", { for: "discover-q", class: "visually-hidden" }, "Search"),
    input,
    h("p", { id: "discover-hint", class: "visually-hidden" }, "Results appear as you type; use the arrow keys to move through them."),
  );
  const el = h("section", { class: "discover" }, h("h1", { class: "discover-title" }, "Discover"), form, results, trending);

  const run = debounce((typed: string) => void lookUp(typed), 200);
  input.addEventListener("input", () => run.call(input.value));
  el.addEventListener("keydown", (event) => moveFocus(event, el, input));

  async function lookUp(typed: string): Promise<void> {
    inFlight?.abort();
    const plan = planSearch(typed);
    if (!plan) {
      lastShown = "";
      results.replaceChildren();
      trending.hidden = false;
      return;
    }
    trending.hidden = true;
    const mine = new AbortController();
    inFlight = mine;
    try {
      const pages = await Promise.all(plan.kinds.map((kind) => search(plan.q, kind, 8, mine.signal)));
      if (mine.signal.aborted) return;
      // The same results for a longer prefix stay as they are, with the focus someone moved into them.
      const shown = JSON.stringify(pages.map((p) => [p.kind, p.creators, p.hashtags, p.videos]));
      if (shown === lastShown) return;
      lastShown = shown;
      results.replaceChildren(...renderResults(pages));
    } catch (error) {
      if (mine.signal.aborted) return;
      lastShown = "";
      results.replaceChildren(errorState(error, () => void lookUp(input.value)));
    }
  }

  async function loadTrending(): Promise<void> {
    trending.replaceChildren(spinner("Loading trends"));
    try {
      const found = await discover(controller.signal);
      trending.replaceChildren(
        h("h2", { class: "discover-heading" }, "Trending hashtags"),
        found.hashtags.length
          ? h("ul", { class: "tag-chips", role: "list" }, ...found.hashtags.map((t) => h("li", {}, tagLink(t.hashtag))))
          : h("p", { class: "discover-none" }, "Nothing trending yet"),
        h("h2", { class: "discover-heading" }, "Creators"),
        found.creators.length
          ? h("ul", { class: "creator-list", role: "list" }, ...found.creators.map((c) => h("li", {}, creatorLink(c))))
          : h("p", { class: "discover-none" }, "No creators to show yet"),
      );
    } catch (error) {
      if (controller.signal.aborted) return;
      trending.replaceChildren(errorState(error, () => void loadTrending()));
    }
  }

  void loadTrending();
  return {
    el,
    title: "Discover",
    destroy() {
      run.cancel();
      inFlight?.abort();
      controller.abort();
    },
  };
}

function renderResults(pages: SearchPage[]): HTMLElement[] {
  const groups: HTMLElement[] = [];
  for (const page of pages) {
    if (page.kind === "creators" && page.creators?.length) {
      groups.push(group("Creators", page.creators.map(creatorLink)));
    } else if (page.kind === "hashtags" && page.hashtags?.length) {
      groups.push(group("Hashtags", page.hashtags.map((t) => tagLink(t.hashtag))));
    } else if (page.kind === "videos" && page.videos?.length) {
      groups.push(group("Videos", page.videos.map((v) =>
        h("a", { class: "result video-result", href: `/v/${v.video_id}` }, v.caption?.trim() || "A video"))));
    }
  }
  return groups.length ? groups : [h("p", { class: "discover-none", role: "status" }, "No results")];
}

function group(title: string, links: HTMLElement[]): HTMLElement {
  return h("section", { class: "result-group", "aria-label": title },
    h("h2", { class: "discover-heading" }, title),
    h("ul", { class: "result-list", role: "list" }, ...links.map((link) => h("li", {}, link))),
  );
}

function creatorLink(c: CreatorHit): HTMLElement {
  const initial = (c.display_name || c.handle).slice(0, 1).toUpperCase();
  const picture = c.avatar_small_url ?? c.avatar_url; // drawn small: the 96-pixel one when there is one
  const avatar = picture
    ? h("img", { class: "avatar result-avatar", src: picture, alt: "" })
    : h("span", { class: "avatar result-avatar avatar-initial", "aria-hidden": "true" }, initial);
  return h("a", { class: "result creator-result", href: handleHref(c.handle) },
    avatar,
    h("span", { class: "result-text" },
      h("span", { class: "result-name" }, c.display_name || c.handle),
      h("span", { class: "result-handle" }, `@${c.handle}`),
    ),
  );
}

function tagLink(tag: string): HTMLElement {
  return h("a", { class: "result tag-chip", href: tagHref(tag) ?? "/discover" }, `#${tag}`);
}

/** Arrow keys move between the search box and the result links (a simple list of links). */
function moveFocus(event: KeyboardEvent, root: HTMLElement, input: HTMLInputElement): void {
  const links = Array.from(root.querySelectorAll<HTMLAnchorElement>(".discover-results a, .discover-trending:not([hidden]) a"));
  const current = links.indexOf(document.activeElement as HTMLAnchorElement);
  if (document.activeElement === input && (event.key === "Home" || event.key === "End")) return;
  const next = nextIndex(current, event.key, links.length);
  if (next === null) return;
  event.preventDefault();
  (next < 0 ? input : links[next])?.focus();
}

// ---- a hashtag's page ----

export function tagView(tag: string): View {
  const name = tag.replace(/^#/, "").toLowerCase();
  const controller = new AbortController();
  let sort: HashtagSort = "newest";
  let cursor: string | null = null;
  const grid = h("ul", { class: "video-grid", role: "list" });
  const more = h("div", { class: "grid-more" });
  const sorts = (["newest", "trending"] as HashtagSort[]).map((s) =>
    h("button", { type: "button", class: "sort-button", "aria-pressed": String(s === sort), onclick: () => choose(s) },
      s === "newest" ? "Newest" : "Trending"));
  const el = h("section", { class: "tag-page" },
    h("header", { class: "tag-head" },
      h("h1", { class: "tag-title" }, `#${name}`),
      h("div", { class: "sort-buttons", role: "group", "aria-label": "Order" }, ...sorts),
    ),
    grid,
    more,
  );

  function choose(next: HashtagSort): void {
    if (next === sort) return;
    sort = next;
    sorts.forEach((b, i) => b.setAttribute("aria-pressed", String(["newest", "trending"][i] === sort)));
    grid.replaceChildren();
    cursor = null;
    void load();
  }

  async function load(): Promise<void> {
    const asked = sort;
    more.replaceChildren(spinner("Loading videos"));
    try {
      const page = await hashtagPage(name, asked, cursor, controller.signal);
      if (controller.signal.aborted || asked !== sort) return;
      grid.append(...page.items.map((item) => tile(item.video_id, controller.signal)));
      cursor = page.next_cursor;
      if (cursor) {
        more.replaceChildren(h("button", { type: "button", class: "button", onclick: () => void load() }, "More"));
      } else if (grid.childElementCount === 0) {
        more.replaceChildren(emptyState("No videos yet", `Nothing public carries #${name} yet.`, { label: "Discover", href: "/discover" }));
      } else {
        more.replaceChildren();
      }
    } catch (error) {
      if (controller.signal.aborted) return;
      more.replaceChildren(errorState(error, () => void load()));
    }
  }

  void load();
  return { el, title: `#${name}`, destroy: () => controller.abort() };
}

/** A public video's tile: its poster, linking to its page. */
function tile(videoId: string, signal: AbortSignal): HTMLElement {
  const img = h("img", { alt: "", loading: "lazy", decoding: "async" });
  const link = h("a", { class: "video-tile", href: `/v/${videoId}`, "aria-label": "Video" }, img);
  videoDetails(videoId, signal).then(
    (details) => {
      if (details.playback.poster) img.src = details.playback.poster;
      if (details.caption) link.setAttribute("aria-label", details.caption.slice(0, 80));
    },
    () => undefined,
  );
  return h("li", {}, link);
}

// ---- a profile by handle ----

export function handleView(handle: string): View {
  const controller = new AbortController();
  const el = h("div", { class: "handle-page" }, spinner("Loading profile"));
  let inner: View | null = null;
  const bare = handle.replace(/^@/, "");

  async function load(): Promise<void> {
    try {
      const profile = await profileByHandle(bare, controller.signal);
      if (controller.signal.aborted) return;
      inner = profileView(profile.user_id);
      el.replaceChildren(inner.el);
    } catch (error) {
      if (controller.signal.aborted) return;
      const missing = error instanceof ApiError && (error.status === 404 || error.status === 422);
      el.replaceChildren(
        missing
          ? emptyState("No such person", `Nobody goes by @${bare}.`, { label: "Discover", href: "/discover" })
          : errorState(error, () => void load()),
      );
    }
  }

  void load();
  return {
    el,
    title: `@${bare}`,
    destroy() {
      controller.abort();
      inner?.destroy?.();
    },
  };
}
