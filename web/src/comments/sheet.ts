/**
 * The comments sheet: a modal bottom sheet over the feed (the video keeps playing underneath) with
 * Newest / Top tabs, paged threads one level deep, likes, replies, deleting one's own comments and a
 * composer whose posts show at once and are reconciled with the server's answer.
 *
 * This module puts the sheet together and keeps its list and counts; the frame (frame.ts), the tabs
 * (tabs.ts), one comment (comment.ts), its replies (replies.ts) and the composer (composer.ts) are
 * drawn apart, and what each shows in which state is decided in display.ts.
 */

import "./comments.css";
import { describe } from "../api";
import { formatCount, h } from "../dom";
import { currentSession } from "../session";
import { whenSignedIn } from "../auth/sheet";
import { emptyState, errorState, spinner, toast } from "../ui";
import { commentsPage, postComment, videoStats, type CommentTarget } from "./api";
import { commentEl, type CommentContext, type CommentElement } from "./comment";
import { composerFor, type ReplyTarget } from "./composer";
import { draftComment, postedNote, unseen } from "./display";
import { openFrame } from "./frame";
import { orderTabs } from "./tabs";

export type { CommentTarget } from "./api";

/** How long a page read waits for the viewer's posts to be answered before it is drawn all the same
 * (a post the page holds is then drawn twice until its answer comes and takes the copy out). */
const ANSWER_WAIT_MS = 3000;
const HELD_TOAST = "Your comment is held for review. Only you can see it until a moderator approves it.";

export function openComments(video: CommentTarget, onCount: (count: number) => void): void {
  const me = currentSession()?.userId ?? null;

  let cursor: string | null = null;
  let loading = false;
  let total: number | null = null;
  let generation = 0;
  let loadingGen = -1;
  const seen = new Set<string>();
  /** The viewer's top-level posts awaiting the server's answer: a page read meanwhile may hold one under
   * an id the sheet does not know yet, so it is drawn once they are answered and known by their ids
   * (or after `ANSWER_WAIT_MS`, should an answer hang). */
  const answering = new Set<Promise<void>>();

  // -- structure --
  const titleCount = h("span", { class: "sheet-count", "aria-hidden": "true" });
  const closeButton = h("button", { class: "icon-button sheet-close", type: "button", "aria-label": "Close comments", onclick: () => frame.close() }, "✕");
  const list = h("ul", { class: "comment-list", role: "list" });
  const footer = h("div", { class: "comment-more" });
  const stateBox = h("div", { class: "comment-state" });
  const panel = h("div", { class: "sheet-body", id: "comments-panel", role: "tabpanel", tabindex: "-1" }, stateBox, list, footer);
  const live = h("p", { class: "visually-hidden", role: "status", "aria-live": "polite" });
  const tabs = orderTabs(panel, () => void reload());
  const composer = composerFor(video, me, { signIn: signInAndReopen, post: (text, target, restore) => void post(text, target, restore) });

  const sheet = h("section", { class: "sheet", role: "dialog", "aria-modal": "true", "aria-label": "Comments", tabindex: "-1" },
    h("header", { class: "sheet-head" },
      h("span", { class: "sheet-grabber", "aria-hidden": "true" }),
      h("h2", { class: "sheet-title" }, "Comments ", titleCount),
      closeButton,
    ),
    tabs.el,
    panel,
    composer.el,
    live,
  );
  const frame = openFrame(sheet);
  const { signal } = frame;

  const ctx: CommentContext = {
    video,
    me,
    signal,
    signIn: signInAndReopen,
    reply: (parentId, handle) => composer.showReply(parentId, handle),
    deleted(item, position, gone) {
      if (gone) {
        const parent = item.parent_id ? threadEl(item.parent_id, false) : null;
        parent?.dropReply?.();
        seen.delete(item.comment_id);
        updateEmpty();
      }
      live.textContent = "Comment deleted";
      if (total !== null) setTotal(total - 1);
      void reconcileCount(position);
    },
  };

  /** A top-level comment's element (`direct`: only among the list's own children). */
  function threadEl(commentId: string, direct: boolean): CommentElement | null {
    return list.querySelector(`${direct ? ":scope > " : ""}[data-comment-id="${CSS.escape(commentId)}"]`);
  }

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
      const stats = await videoStats(video.video_id, position, signal);
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
    // The viewer's posts still awaiting their answers stay: the page read waits for those answers,
    // and then leaves them out as seen.
    list.replaceChildren(...list.querySelectorAll(":scope > .comment.pending"));
    footer.replaceChildren();
    stateBox.replaceChildren(spinner("Loading comments"));
    await loadPage(generation);
  }

  async function loadPage(gen: number): Promise<void> {
    if (loading && gen === loadingGen) return;
    loading = true;
    loadingGen = gen;
    try {
      const page = await commentsPage(video.video_id, tabs.order, cursor, signal);
      if (answering.size) {
        const givenUp = new Promise((done) => setTimeout(done, ANSWER_WAIT_MS));
        await Promise.race([Promise.all(answering), givenUp]);
      }
      if (signal.aborted || gen !== generation) return;
      stateBox.replaceChildren();
      for (const item of unseen(page.items, seen)) {
        seen.add(item.comment_id);
        list.append(commentEl(item, ctx));
      }
      cursor = page.next_cursor;
      renderFooter();
      updateEmpty();
    } catch (error) {
      if (signal.aborted || gen !== generation) return;
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
  signal.addEventListener("abort", () => scrollObserver.disconnect());

  /** Signed out: the sign-in sheet takes this one's place, and the comments come back signed in. */
  function signInAndReopen(why: string): void {
    frame.close(false);
    void whenSignedIn(why).then((signedIn) => {
      if (signedIn) openComments(video, onCount);
    });
  }

  // -- posting: drawn at once, confirmed or taken back when the server answers --
  async function post(text: string, target: ReplyTarget | null, restore: () => void): Promise<void> {
    if (!me) return;
    const draft = draftComment(crypto.randomUUID(), video, me, text, target?.parentId ?? null, new Date());
    const el = commentEl(draft, ctx, true);
    const parent = target ? threadEl(target.parentId, true) : null;
    const posting = postComment(video.video_id, text, target?.parentId ?? null);
    if (parent?.addReply) {
      parent.addReply(el, posting);
    } else {
      const pinned = list.querySelector(":scope > .comment.pinned");
      if (pinned) pinned.after(el);
      else list.prepend(el);
      panel.scrollTop = 0;
    }
    updateEmpty();
    if (total !== null) setTotal(total + 1);
    let answered = (): void => {};
    const handled = new Promise<void>((done) => (answered = done));
    if (!target) answering.add(handled);
    try {
      const result = await posting;
      seen.add(result.comment_id);
      const held = result.state === "held";
      el.confirm?.({ ...draft, comment_id: result.comment_id, held });
      live.textContent = postedNote(target !== null, held);
      if (held) {
        // Held: it counts nowhere until released, so the counts drawn for it are taken back.
        parent?.dropReply?.();
        if (total !== null) setTotal(total - 1);
        toast(HELD_TOAST);
        return;
      }
      void reconcileCount(result.position);
    } catch (error) {
      el.remove();
      if (parent) parent.dropReply?.();
      updateEmpty();
      if (total !== null) setTotal(total - 1);
      restore();
      toast(`Couldn't post: ${describe(error)}`);
    } finally {
      answering.delete(handled);
      answered();
    }
  }

  // -- start --
  tabs.select("newest");
  void reconcileCount();
  // Focus moves into the dialog without opening the on-screen keyboard.
  sheet.focus({ preventScroll: true });
}
