/**
 * The comments sheet: a modal bottom sheet over the feed (the video keeps playing underneath) with
 * Newest / Top tabs, paged threads one level deep, likes, replies, deleting one's own comments and a
 * composer whose posts show at once and are reconciled with the server's answer.
 */

import "./comments.css";
import { describe, get, profileOf, request, type Page, type VideoStats } from "../api";
import { formatCount, h, timeAgo } from "../dom";
import { currentSession } from "../session";
import { whenSignedIn } from "../auth/sheet";
import { emptyState, errorState, spinner, toast } from "../ui";

export interface CommentTarget {
  video_id: string;
  owner_id: string;
  comments_allowed: boolean;
}

interface CommentItem {
  comment_id: string;
  video_id: string;
  parent_id: string | null;
  reply_to_id: string | null;
  /** null once the author erased their account */
  author_id: string | null;
  text: string | null;
  erased: boolean;
  edited: boolean;
  posted_at: string;
  likes: number;
  reply_count: number;
  deleted: boolean;
  pinned: boolean;
  /** Yours, held by screening until a moderator releases it: nobody else is sent it. */
  held?: boolean;
  /** Its author is suspended: text and author are null until the suspension is lifted; replies stay. */
  withheld?: boolean;
}

/** What posting a comment answers: a comment holding a watched word is taken but held. */
interface CommentCreated {
  comment_id: string;
  state: "posted" | "held";
  note: string | null;
  position: number;
}

const HELD_TOAST = "Your comment is held for review. Only you can see it until a moderator approves it.";

type Order = "newest" | "top";

/** CommentCreate.text: 1..1000 characters once trimmed. */
const TEXT_MAX = 1000;
const PAGE = 20;

// ---- the viewer's comment likes (the API has no "liked by me" for comments) ----

const LIKES_KEY = "strom.commentLikes";
const LIKES_KEPT = 2000;

function likesKey(): string | null {
  const session = currentSession();
  return session ? `${LIKES_KEY}.${session.userId}` : null;
}

function likedIds(): string[] {
  const key = likesKey();
  if (!key) return [];
  try {
    const ids = JSON.parse(localStorage.getItem(key) ?? "[]") as unknown;
    return Array.isArray(ids) ? ids.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

function isLiked(commentId: string): boolean {
  return likedIds().includes(commentId);
}

function rememberLike(commentId: string, liked: boolean): void {
  const key = likesKey();
  if (!key) return;
  const ids = likedIds().filter((id) => id !== commentId);
  if (liked) ids.push(commentId);
  try {
    localStorage.setItem(key, JSON.stringify(ids.slice(-LIKES_KEPT)));
  } catch {
    /* storage full: the like itself still stands on the server */
  }
}

// ---- the sheet ----

let closeOpen: (() => void) | null = null;

export function openComments(video: CommentTarget, onCount: (count: number) => void): void {
  closeOpen?.();
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const host = document.getElementById("app") ?? document.body;
  const session = currentSession();
  const me = session?.userId ?? null;
  const controller = new AbortController();

  let order: Order = "newest";
  let cursor: string | null = null;
  let loading = false;
  let total: number | null = null;
  let replyTo: { parentId: string; handle: string } | null = null;
  let generation = 0;
  let loadingGen = -1;
  let started = false;
  const seen = new Set<string>();

  // -- structure --
  const titleCount = h("span", { class: "sheet-count", "aria-hidden": "true" });
  const closeButton = h("button", { class: "icon-button sheet-close", type: "button", "aria-label": "Close comments", onclick: () => close() }, "✕");
  const tabs: Record<Order, HTMLButtonElement> = {
    newest: h("button", { type: "button", role: "tab", id: "comments-tab-newest", "aria-controls": "comments-panel" }, "Newest"),
    top: h("button", { type: "button", role: "tab", id: "comments-tab-top", "aria-controls": "comments-panel" }, "Top"),
  };
  const tablist = h("div", { class: "sheet-tabs", role: "tablist", "aria-label": "Order comments by" }, tabs.newest, tabs.top);
  const list = h("ul", { class: "comment-list", role: "list" });
  const footer = h("div", { class: "comment-more" });
  const stateBox = h("div", { class: "comment-state" });
  const panel = h("div", { class: "sheet-body", id: "comments-panel", role: "tabpanel", tabindex: "-1" }, stateBox, list, footer);
  const live = h("p", { class: "visually-hidden", role: "status", "aria-live": "polite" });
  const composer = buildComposer();

  const sheet = h("section", { class: "sheet", role: "dialog", "aria-modal": "true", "aria-label": "Comments", tabindex: "-1" },
    h("header", { class: "sheet-head" },
      h("span", { class: "sheet-grabber", "aria-hidden": "true" }),
      h("h2", { class: "sheet-title" }, "Comments ", titleCount),
      closeButton,
    ),
    tablist,
    panel,
    composer.el,
    live,
  );
  const backdrop = h("div", { class: "sheet-backdrop", "aria-hidden": "true", onclick: () => close() });

  // -- opening, closing, focus --
  const inerted: HTMLElement[] = [];
  for (const child of Array.from(host.children)) {
    if (child instanceof HTMLElement && child.id !== "toasts" && !child.inert) {
      child.inert = true;
      inerted.push(child);
    }
  }
  host.append(backdrop, sheet);
  requestAnimationFrame(() => sheet.classList.add("open"));

  const view = document.getElementById("view");
  const leave = new MutationObserver(() => close(false));
  if (view) leave.observe(view, { childList: true });
  const onPop = (): void => close(false);
  window.addEventListener("popstate", onPop);

  function close(restoreFocus = true): void {
    if (closeOpen !== close) return;
    closeOpen = null;
    controller.abort();
    leave.disconnect();
    window.removeEventListener("popstate", onPop);
    document.removeEventListener("keydown", onKey, true);
    for (const el of inerted) el.inert = false;
    sheet.remove();
    backdrop.remove();
    if (restoreFocus && opener?.isConnected) opener.focus({ preventScroll: true });
  }
  closeOpen = close;

  // Keys are the sheet's while it is open: the feed underneath must not scroll or seek on them.
  // Escape and Tab are caught on the document, so they work wherever focus was left.
  const onKey = (event: KeyboardEvent): void => {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close();
    } else if (event.key === "Tab") {
      trapTab(event);
    } else if (!sheet.contains(event.target as Node)) {
      event.stopPropagation();
    }
  };
  document.addEventListener("keydown", onKey, true);
  sheet.addEventListener("keydown", (event) => event.stopPropagation());

  function trapTab(event: KeyboardEvent): void {
    const focusables = Array.from(
      sheet.querySelectorAll<HTMLElement>('a[href], button:not([disabled]), textarea:not([disabled]), input:not([disabled]), [tabindex]:not([tabindex="-1"])'),
    ).filter((el) => el.offsetParent !== null || el === document.activeElement);
    if (focusables.length === 0) return;
    const first = focusables[0]!;
    const last = focusables[focusables.length - 1]!;
    const active = document.activeElement;
    if (event.shiftKey && (active === first || !sheet.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !sheet.contains(active))) {
      event.preventDefault();
      first.focus();
    }
  }

  // -- tabs --
  const selectTab = (next: Order, focus = false): void => {
    for (const [name, tab] of Object.entries(tabs) as [Order, HTMLButtonElement][]) {
      const selected = name === next;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
    }
    panel.setAttribute("aria-labelledby", tabs[next].id);
    if (focus) tabs[next].focus();
    if (next !== order || !started) {
      started = true;
      order = next;
      void reload();
    }
  };
  tabs.newest.addEventListener("click", () => selectTab("newest"));
  tabs.top.addEventListener("click", () => selectTab("top"));
  tablist.addEventListener("keydown", (event) => {
    if (event.key === "ArrowRight" || event.key === "ArrowLeft" || event.key === "Home" || event.key === "End") {
      event.preventDefault();
      const next: Order = event.key === "Home" ? "newest" : event.key === "End" ? "top" : order === "newest" ? "top" : "newest";
      selectTab(next, true);
    }
  });

  // -- counting --
  const setTotal = (n: number, announce = true): void => {
    const changed = total !== null && total !== n;
    total = Math.max(0, n);
    titleCount.textContent = `(${formatCount(total)})`;
    if (changed && announce) onCount(total);
  };

  /** The server's count once it includes `position` (read-your-writes). */
  const reconcileCount = async (position?: number): Promise<void> => {
    try {
      const stats = await get<VideoStats>(`/v1/videos/${video.video_id}/stats`, position ? { min_position: position } : undefined, controller.signal);
      const before = total;
      total = stats.comments;
      titleCount.textContent = `(${formatCount(total)})`;
      if (before !== stats.comments || position) onCount(stats.comments);
    } catch {
      /* the optimistic count stays */
    }
  };

  // -- loading pages --
  async function reload(): Promise<void> {
    generation += 1;
    cursor = null;
    seen.clear();
    list.replaceChildren();
    footer.replaceChildren();
    stateBox.replaceChildren(spinner("Loading comments"));
    await loadPage(generation);
  }

  async function loadPage(gen: number): Promise<void> {
    if (loading && gen === loadingGen) return;
    loading = true;
    loadingGen = gen;
    try {
      const page = await get<Page<CommentItem>>(`/v1/videos/${video.video_id}/comments`, { order, limit: PAGE, cursor }, controller.signal);
      if (gen !== generation) return;
      stateBox.replaceChildren();
      for (const item of page.items) {
        if (seen.has(item.comment_id)) continue;
        seen.add(item.comment_id);
        list.append(commentEl(item));
      }
      cursor = page.next_cursor;
      renderFooter();
      updateEmpty();
    } catch (error) {
      if (controller.signal.aborted || gen !== generation) return;
      if (list.childElementCount === 0) stateBox.replaceChildren(errorState(error, () => void reload()));
      else footer.replaceChildren(errorState(error, () => void loadPage(generation)));
    } finally {
      if (gen === generation) loading = false;
    }
  }

  function renderFooter(): void {
    footer.replaceChildren();
    if (cursor === null) return;
    const more = h("button", { class: "button secondary", type: "button" }, "Load more");
    more.addEventListener("click", () => {
      more.disabled = true;
      void loadPage(generation);
    });
    footer.append(more);
  }

  function updateEmpty(): void {
    if (list.childElementCount === 0 && cursor === null) {
      stateBox.replaceChildren(emptyState("No comments yet. Be the first.", video.comments_allowed ? "Start the conversation." : ""));
    } else if (stateBox.querySelector(".state-empty")) {
      stateBox.replaceChildren();
    }
  }

  // Infinite scroll: the footer's "Load more" is pressed for the reader as it comes into view.
  const scrollObserver = new IntersectionObserver(
    (entries) => {
      if (entries.some((e) => e.isIntersecting) && cursor !== null && !loading) void loadPage(generation);
    },
    { root: panel, rootMargin: "200px" },
  );
  scrollObserver.observe(footer);
  controller.signal.addEventListener("abort", () => scrollObserver.disconnect());

  // -- one comment --
  function commentEl(item: CommentItem, pending = false): HTMLLIElement {
    const li = h("li", { class: "comment", "data-comment-id": item.comment_id });
    if (pending) {
      li.classList.add("pending");
      li.setAttribute("aria-busy", "true");
    }
    if (item.pinned) li.classList.add("pinned");
    const authorId = item.author_id;
    const authorLink = authorId
      ? h("a", { class: "comment-author", href: `/u/${authorId}` }, "…")
      : h("span", { class: "comment-author" }, item.withheld ? "Suspended account" : "Deleted account");
    const avatarEl = h("span", { class: "comment-avatar", "aria-hidden": "true" }, authorId ? "" : "?");
    let handle = "";
    if (authorId) {
      profileOf(authorId).then(
        (p) => {
          handle = p.handle ?? "";
          authorLink.textContent = p.handle ? `@${p.handle}` : "Deleted account";
          avatarEl.textContent = (p.display_name || p.handle || "?").charAt(0).toUpperCase();
          if (authorId === video.owner_id) authorLink.after(h("span", { class: "comment-badge" }, "Creator"));
        },
        () => {
          authorLink.textContent = "@unknown";
        },
      );
    }

    const text = h("p", { class: "comment-text" });
    paintText(text, item);

    const time = h("time", { datetime: item.posted_at, title: new Date(item.posted_at).toLocaleString() }, pending ? "Posting…" : timeAgo(item.posted_at));

    // Like
    let liked = isLiked(item.comment_id);
    const likeCount = h("span", { class: "comment-like-count", "data-count": "comment-likes" }, formatCount(item.likes));
    const likeButton = h("button", { type: "button", class: "comment-like", "aria-label": "Like comment", "aria-pressed": String(liked), disabled: pending || item.deleted, hidden: item.withheld === true },
      h("span", { "aria-hidden": "true" }, "♥"), likeCount);
    const paintLike = (): void => {
      likeButton.setAttribute("aria-pressed", String(liked));
      likeCount.textContent = formatCount(item.likes);
    };
    likeButton.addEventListener("click", async () => {
      if (!currentSession()) {
        signInAndReopen("Sign in to like comments");
        return;
      }
      if (likeButton.getAttribute("aria-busy")) return;
      const want = !liked;
      liked = want;
      item.likes = Math.max(0, item.likes + (want ? 1 : -1));
      paintLike();
      likeButton.setAttribute("aria-busy", "true");
      try {
        const result = await request<{ liked: boolean }>(want ? "PUT" : "DELETE", `/v1/comments/${item.comment_id}/like`);
        rememberLike(item.comment_id, result.liked);
        if (result.liked !== want) {
          liked = result.liked;
          item.likes = Math.max(0, item.likes + (result.liked ? 1 : -1));
          paintLike();
        }
      } catch (error) {
        liked = !want;
        item.likes = Math.max(0, item.likes + (want ? -1 : 1));
        paintLike();
        toast(describe(error));
      } finally {
        likeButton.removeAttribute("aria-busy");
      }
    });

    const actions = h("div", { class: "comment-actions" }, time);
    // A withheld comment offers nothing to do; its replies stay below it.
    const actionable = !item.deleted && !item.withheld;
    if (video.comments_allowed && me && actionable) {
      actions.append(h("button", { type: "button", class: "link-button", disabled: pending, onclick: () => startReply(item.parent_id ?? item.comment_id, handle || "unknown") }, "Reply"));
    }
    const canDelete = me !== null && actionable && (item.author_id === me || video.owner_id === me);
    if (canDelete) {
      actions.append(h("button", { type: "button", class: "link-button danger", disabled: pending, onclick: () => void remove() }, "Delete"));
    }

    const meta = h("div", { class: "comment-meta" }, authorLink, item.pinned ? h("span", { class: "comment-badge pinned-label" }, "Pinned") : null);
    const body = h("div", { class: "comment-body" }, meta, text, actions);
    li.append(avatarEl, body, h("div", { class: "comment-side" }, likeButton));

    /** A held comment is the author's alone until released: nothing to like, answer or delete yet. */
    const markHeld = (): void => {
      item.held = true;
      li.classList.add("held");
      meta.append(h("span", { class: "comment-badge held-label" }, "Held for review"));
      text.after(h("p", { class: "comment-held-note" }, "Only you can see this until a moderator reviews it."));
      actions.querySelectorAll("button").forEach((b) => b.remove());
      likeButton.hidden = true;
    };

    // Replies (top-level comments only)
    if (item.parent_id === null && !item.held) {
      const replies = h("ul", { class: "reply-list", role: "list", hidden: true });
      const toggle = h("button", { type: "button", class: "link-button replies-toggle", "aria-expanded": "false" });
      const moreReplies = h("div", { class: "reply-more", hidden: true });
      let replyCursor: string | null = null;
      let loaded = false;
      let open = false;
      const paintToggle = (): void => {
        toggle.hidden = item.reply_count === 0 && !loaded;
        toggle.textContent = open ? "Hide replies" : `View replies (${item.reply_count})`;
        toggle.setAttribute("aria-expanded", String(open));
      };
      const loadReplies = async (): Promise<void> => {
        moreReplies.replaceChildren(spinner("Loading replies"));
        try {
          const page = await get<Page<CommentItem>>(`/v1/comments/${item.comment_id}/replies`, { limit: PAGE, cursor: replyCursor }, controller.signal);
          for (const reply of page.items) {
            if (replies.querySelector(`[data-comment-id="${CSS.escape(reply.comment_id)}"]`)) continue;
            replies.append(commentEl(reply));
          }
          replyCursor = page.next_cursor;
          loaded = true;
          moreReplies.replaceChildren();
          if (replyCursor) {
            moreReplies.append(h("button", { type: "button", class: "link-button", onclick: () => void loadReplies() }, "More replies"));
          }
        } catch (error) {
          if (controller.signal.aborted) return;
          moreReplies.replaceChildren(h("button", { type: "button", class: "link-button", onclick: () => void loadReplies() }, "Couldn't load replies. Try again"));
          toast(describe(error));
        }
      };
      toggle.addEventListener("click", () => {
        open = !open;
        replies.hidden = !open;
        moreReplies.hidden = !open;
        paintToggle();
        if (open && !loaded) void loadReplies();
      });
      (li as CommentElement).addReply = (reply: HTMLLIElement) => {
        item.reply_count += 1;
        open = true;
        replies.hidden = false;
        moreReplies.hidden = false;
        paintToggle();
        // The thread is read first, so the new reply lands after the replies already there.
        const ready = loaded ? Promise.resolve() : loadReplies();
        void ready.then(() => {
          if (!reply.dataset.removed) replies.append(reply);
        });
      };
      (li as CommentElement).dropReply = () => {
        item.reply_count = Math.max(0, item.reply_count - 1);
        paintToggle();
      };
      paintToggle();
      body.append(toggle, replies, moreReplies);
    }

    async function remove(): Promise<void> {
      if (!window.confirm("Delete this comment?")) return;
      li.classList.add("pending");
      try {
        const result = await request<{ position: number }>("DELETE", `/v1/comments/${item.comment_id}`);
        if (item.parent_id === null && item.reply_count > 0) {
          item.deleted = true;
          item.text = null;
          paintText(text, item);
          actions.querySelectorAll("button").forEach((b) => b.remove());
          likeButton.disabled = true;
          li.classList.remove("pending");
        } else {
          const parent = item.parent_id ? (list.querySelector(`[data-comment-id="${CSS.escape(item.parent_id)}"]`) as CommentElement | null) : null;
          parent?.dropReply?.();
          li.remove();
          seen.delete(item.comment_id);
          updateEmpty();
        }
        live.textContent = "Comment deleted";
        if (total !== null) setTotal(total - 1);
        void reconcileCount(result.position);
      } catch (error) {
        li.classList.remove("pending");
        toast(describe(error));
      }
    }

    (li as CommentElement).confirm = (real: CommentItem) => {
      li.dataset.commentId = real.comment_id;
      item.comment_id = real.comment_id;
      li.classList.remove("pending");
      li.removeAttribute("aria-busy");
      time.textContent = timeAgo(real.posted_at);
      if (real.held) markHeld();
      else li.querySelectorAll<HTMLButtonElement>(".comment-actions button, .comment-like").forEach((b) => (b.disabled = false));
    };
    if (item.held) markHeld();
    return li;
  }

  function paintText(el: HTMLElement, item: CommentItem): void {
    el.classList.toggle("gone", item.deleted || item.erased || item.text === null);
    if (item.withheld && !item.deleted) el.textContent = "Comment withheld";
    else if (item.deleted) el.textContent = "[deleted]";
    else if (item.erased || item.text === null) el.textContent = "[erased]";
    else el.textContent = item.text;
    if (item.edited && !item.deleted && !item.erased && !item.withheld) el.append(h("span", { class: "comment-edited" }, " (edited)"));
  }

  /** Signed out: the sign-in sheet takes this one's place, and the comments come back signed in. */
  function signInAndReopen(why: string): void {
    close(false);
    void whenSignedIn(why).then((signedIn) => {
      if (signedIn) openComments(video, onCount);
    });
  }

  // -- composer --
  function startReply(parentId: string, handle: string): void {
    replyTo = { parentId, handle };
    composer.showReply(handle);
  }

  function buildComposer(): { el: HTMLElement; showReply(handle: string): void } {
    if (!video.comments_allowed) {
      return { el: h("p", { class: "composer composer-off", role: "note" }, "Comments are turned off"), showReply() {} };
    }
    if (!me) {
      const button = h("button", { class: "button", type: "button", onclick: () => signInAndReopen("Sign in to comment") }, "Sign in to comment");
      return { el: h("div", { class: "composer composer-signin" }, button), showReply() {} };
    }
    const textarea = h("textarea", { id: "comment-text", rows: "1", maxlength: String(TEXT_MAX), placeholder: "Add a comment…", enterkeyhint: "send" });
    const label = h("label", { for: "comment-text", class: "visually-hidden" }, "Add a comment");
    const counter = h("span", { class: "composer-counter", "aria-live": "polite", hidden: true });
    const post = h("button", { class: "button composer-post", type: "submit", disabled: true }, "Post");
    const chipText = h("span", {});
    const chip = h("div", { class: "reply-chip", hidden: true },
      chipText,
      h("button", { type: "button", class: "icon-button", "aria-label": "Cancel reply", onclick: () => cancelReply() }, "✕"),
    );
    const cancelReply = (): void => {
      replyTo = null;
      chip.hidden = true;
      textarea.focus();
    };
    const sync = (): void => {
      const length = textarea.value.trim().length;
      post.disabled = length === 0 || textarea.value.length > TEXT_MAX;
      counter.hidden = textarea.value.length < TEXT_MAX - 100;
      counter.textContent = `${textarea.value.length}/${TEXT_MAX}`;
      textarea.style.height = "auto";
      textarea.style.height = `${Math.min(textarea.scrollHeight, 120)}px`;
    };
    textarea.addEventListener("input", sync);
    textarea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    const form = h("form", { class: "composer" },
      chip,
      h("div", { class: "composer-row" }, label, textarea, post),
      counter,
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = textarea.value.trim();
      if (!text || text.length > TEXT_MAX) return;
      const target = replyTo;
      textarea.value = "";
      replyTo = null;
      chip.hidden = true;
      sync();
      textarea.focus();
      void postComment(text, target, () => {
        textarea.value = text;
        sync();
      });
    });
    return {
      el: form,
      showReply(handle: string) {
        chipText.textContent = `Replying to @${handle}`;
        chip.hidden = false;
        textarea.focus();
      },
    };
  }

  async function postComment(text: string, target: { parentId: string; handle: string } | null, restore: () => void): Promise<void> {
    if (!me) return;
    const draft: CommentItem = {
      comment_id: `pending-${crypto.randomUUID()}`,
      video_id: video.video_id,
      parent_id: target?.parentId ?? null,
      reply_to_id: target?.parentId ?? null,
      author_id: me,
      text,
      erased: false,
      edited: false,
      posted_at: new Date().toISOString(),
      likes: 0,
      reply_count: 0,
      deleted: false,
      pinned: false,
    };
    const el = commentEl(draft, true) as CommentElement;
    const parent = target ? (list.querySelector(`:scope > [data-comment-id="${CSS.escape(target.parentId)}"]`) as CommentElement | null) : null;
    if (parent?.addReply) {
      parent.addReply(el);
    } else {
      const pinned = list.querySelector(":scope > .comment.pinned");
      if (pinned) pinned.after(el);
      else list.prepend(el);
      panel.scrollTop = 0;
    }
    updateEmpty();
    if (total !== null) setTotal(total + 1);
    try {
      const result = await request<CommentCreated>("POST", `/v1/videos/${video.video_id}/comments`, {
        body: target ? { text, parent_id: target.parentId } : { text },
      });
      seen.add(result.comment_id);
      const held = result.state === "held";
      el.confirm?.({ ...draft, comment_id: result.comment_id, held });
      if (held) {
        // Held: it counts nowhere until released, so the counts drawn for it are taken back.
        parent?.dropReply?.();
        if (total !== null) setTotal(total - 1);
        live.textContent = target ? "Reply held for review" : "Comment held for review";
        toast(HELD_TOAST);
        return;
      }
      live.textContent = target ? "Reply posted" : "Comment posted";
      void reconcileCount(result.position);
    } catch (error) {
      el.dataset.removed = "true";
      el.remove();
      if (parent) parent.dropReply?.();
      updateEmpty();
      if (total !== null) setTotal(total - 1);
      restore();
      toast(`Couldn't post: ${describe(error)}`);
    }
  }

  // -- start --
  selectTab("newest");
  void reconcileCount();
  // Focus moves into the dialog without opening the on-screen keyboard.
  sheet.focus({ preventScroll: true });
}

/** A comment's element, with what the sheet does to it after it is drawn. */
interface CommentElement extends HTMLLIElement {
  addReply?(reply: HTMLLIElement): void;
  dropReply?(): void;
  confirm?(real: CommentItem): void;
}
