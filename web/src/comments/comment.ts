/** One comment as the sheet draws it: author, text, time, like, reply and delete, and for a top-level
 * comment its replies. A comment the viewer just posted is drawn pending, then confirmed. */

import { describe, profileOf } from "../api";
import { formatCount, h, timeAgo } from "../dom";
import { initialOf } from "../format";
import { currentSession } from "../session";
import { toast } from "../ui";
import { deleteComment, likeComment, type CommentItem, type CommentTarget } from "./api";
import { absentAuthor, authorName, commentText, hasThread, keepsPlaceWhenDeleted, likesAfter, offers, threadOf } from "./display";
import { isLiked, rememberLike } from "./likes";
import { withLinks } from "./mentions";
import { repliesOf } from "./replies";

/** What a comment needs of the sheet it is drawn in. */
export interface CommentContext {
  video: CommentTarget;
  /** The viewer, null when signed out. */
  me: string | null;
  signal: AbortSignal;
  /** Sign in first (the sheet closes, and comes back signed in). */
  signIn(why: string): void;
  /** The composer answers `handle` in the thread `parentId`. */
  reply(parentId: string, handle: string): void;
  /** The server deleted it; `gone` when it left the list (else it stays as "[deleted]"). */
  deleted(item: CommentItem, position: number, gone: boolean): void;
}

/** A comment's element, with what the sheet does to it after it is drawn. */
export interface CommentElement extends HTMLLIElement {
  addReply?(reply: HTMLLIElement, answered: Promise<unknown>): void;
  dropReply?(): void;
  confirm?(real: CommentItem): void;
}

export function commentEl(item: CommentItem, ctx: CommentContext, pending = false): CommentElement {
  const { video } = ctx;
  const li: CommentElement = h("li", { class: "comment", "data-comment-id": item.comment_id });
  if (pending) {
    li.classList.add("pending");
    li.setAttribute("aria-busy", "true");
  }
  if (item.pinned) li.classList.add("pinned");
  const authorId = item.author_id;
  const authorLink = authorId
    ? h("a", { class: "comment-author", href: `/u/${authorId}` }, "…")
    : h("span", { class: "comment-author" }, absentAuthor(item));
  const avatarEl = h("span", { class: "comment-avatar", "aria-hidden": "true" }, authorId ? "" : "?");
  let handle = "";
  if (authorId) {
    profileOf(authorId).then(
      (p) => {
        handle = p.handle ?? "";
        authorLink.textContent = authorName(p.handle);
        avatarEl.textContent = initialOf(p.display_name, p.handle);
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
  const offered = offers(item, ctx.me, video, pending);
  const likeButton = likeButtonOf(item, offered.likeHidden, offered.likeDisabled, ctx);

  const actions = h("div", { class: "comment-actions" }, time);
  if (offered.reply) {
    actions.append(h("button", { type: "button", class: "link-button", disabled: pending, onclick: () => ctx.reply(threadOf(item), handle || "unknown") }, "Reply"));
  }
  if (offered.delete) {
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

  if (hasThread(item)) {
    const replies = repliesOf(item, (reply) => commentEl(reply, ctx), ctx.signal);
    li.addReply = replies.add;
    li.dropReply = replies.drop;
    body.append(...replies.els);
  }

  async function remove(): Promise<void> {
    if (!window.confirm("Delete this comment?")) return;
    li.classList.add("pending");
    try {
      const result = await deleteComment(item.comment_id);
      const stays = keepsPlaceWhenDeleted(item);
      if (stays) {
        item.deleted = true;
        item.text = null;
        paintText(text, item);
        actions.querySelectorAll("button").forEach((b) => b.remove());
        likeButton.disabled = true;
        li.classList.remove("pending");
      } else {
        li.remove();
      }
      ctx.deleted(item, result.position, !stays);
    } catch (error) {
      li.classList.remove("pending");
      toast(describe(error));
    }
  }

  li.confirm = (real: CommentItem) => {
    // A page read while it was posted may have drawn it already, under its real id: one is enough.
    li.parentElement
      ?.querySelectorAll(`:scope > [data-comment-id="${CSS.escape(real.comment_id)}"]`)
      .forEach((copy) => copy !== li && copy.remove());
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

/** The like button: optimistic, put back with a toast if the server refuses; remembered per viewer. */
function likeButtonOf(item: CommentItem, hidden: boolean, disabled: boolean, ctx: CommentContext): HTMLButtonElement {
  let liked = isLiked(currentSession()?.userId ?? null, item.comment_id);
  const likeCount = h("span", { class: "comment-like-count", "data-count": "comment-likes" }, formatCount(item.likes));
  const button = h("button", { type: "button", class: "comment-like", "aria-label": "Like comment", "aria-pressed": String(liked), disabled, hidden },
    h("span", { "aria-hidden": "true" }, "♥"), likeCount);
  const paint = (): void => {
    button.setAttribute("aria-pressed", String(liked));
    likeCount.textContent = formatCount(item.likes);
  };
  button.addEventListener("click", async () => {
    if (!currentSession()) {
      ctx.signIn("Sign in to like comments");
      return;
    }
    if (button.getAttribute("aria-busy")) return;
    const want = !liked;
    liked = want;
    item.likes = likesAfter(item.likes, want);
    paint();
    button.setAttribute("aria-busy", "true");
    try {
      const result = await likeComment(item.comment_id, want);
      rememberLike(currentSession()?.userId ?? null, item.comment_id, result.liked);
      if (result.liked !== want) {
        liked = result.liked;
        item.likes = likesAfter(item.likes, result.liked);
        paint();
      }
    } catch (error) {
      liked = !want;
      item.likes = likesAfter(item.likes, !want);
      paint();
      toast(describe(error));
    } finally {
      button.removeAttribute("aria-busy");
    }
  });
  return button;
}

/** Draws what `commentText` says a comment reads as. */
export function paintText(el: HTMLElement, item: CommentItem): void {
  const shown = commentText(item);
  el.classList.toggle("gone", shown.gone);
  el.replaceChildren(...(shown.gone ? [shown.text] : withLinks(shown.text)));
  if (shown.edited) el.append(h("span", { class: "comment-edited" }, " (edited)"));
}
