/** The composer at the foot of the sheet: a growing text area, a counter near the limit, "Replying
 * to @…" while answering, Ctrl/⌘+Enter to post. Signed out it asks to sign in; on a video whose
 * comments are off it says so. */

import { h } from "../dom";
import { TEXT_MAX, type CommentTarget } from "./api";
import { composerState } from "./display";

/** Where a reply goes: the thread, and whom it answers. */
export interface ReplyTarget {
  parentId: string;
  handle: string;
}

export interface Composer {
  el: HTMLElement;
  /** Answers `handle` in the thread `parentId` with the next post. */
  showReply(parentId: string, handle: string): void;
}

export interface ComposerActions {
  signIn(why: string): void;
  /** Posts `text`; `restore` puts it back in the composer if posting fails. */
  post(text: string, target: ReplyTarget | null, restore: () => void): void;
}

export function composerFor(video: CommentTarget, me: string | null, actions: ComposerActions): Composer {
  if (!video.comments_allowed) {
    return { el: h("p", { class: "composer composer-off", role: "note" }, "Comments are turned off"), showReply() {} };
  }
  if (!me) {
    const button = h("button", { class: "button", type: "button", onclick: () => actions.signIn("Sign in to comment") }, "Sign in to comment");
    return { el: h("div", { class: "composer composer-signin" }, button), showReply() {} };
  }
  let replyTo: ReplyTarget | null = null;
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
    const state = composerState(textarea.value, TEXT_MAX);
    post.disabled = !state.canPost;
    counter.hidden = state.counterHidden;
    counter.textContent = state.counter;
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
    actions.post(text, target, () => {
      textarea.value = text;
      sync();
    });
  });
  return {
    el: form,
    showReply(parentId, handle) {
      replyTo = { parentId, handle };
      chipText.textContent = `Replying to @${handle}`;
      chip.hidden = false;
      textarea.focus();
    },
  };
}
