/** The replies under a top-level comment: folded until asked for, read by page, and where the
 * viewer's own new replies land. */

import { describe } from "../api";
import { h } from "../dom";
import { spinner, toast } from "../ui";
import { repliesPage, type CommentItem } from "./api";
import { repliesToggle } from "./display";

export interface Replies {
  /** The toggle, the list and its "More replies": drawn under the comment's body. */
  els: HTMLElement[];
  /** The viewer's reply, drawn before the server answers: the thread opens and is read first, so it
   * lands after the replies already there. Where that read came back with the reply in it (the
   * server took the post first), the viewer's own element takes the place of the one read. */
  add(reply: HTMLLIElement): void;
  /** A reply taken back (failed, held or deleted) no longer counts. */
  drop(): void;
}

export function repliesOf(item: CommentItem, draw: (reply: CommentItem) => HTMLLIElement, signal: AbortSignal): Replies {
  const list = h("ul", { class: "reply-list", role: "list", hidden: true });
  const toggle = h("button", { type: "button", class: "link-button replies-toggle", "aria-expanded": "false" });
  const more = h("div", { class: "reply-more", hidden: true });
  let cursor: string | null = null;
  let loaded = false;
  let open = false;

  const paintToggle = (): void => {
    const shown = repliesToggle(item.reply_count, loaded, open);
    toggle.hidden = shown.hidden;
    toggle.textContent = shown.label;
    toggle.setAttribute("aria-expanded", String(open));
  };
  const setOpen = (value: boolean): void => {
    open = value;
    list.hidden = !open;
    more.hidden = !open;
    paintToggle();
  };

  const load = async (): Promise<void> => {
    more.replaceChildren(spinner("Loading replies"));
    try {
      const page = await repliesPage(item.comment_id, cursor, signal);
      for (const reply of page.items) {
        if (list.querySelector(`[data-comment-id="${CSS.escape(reply.comment_id)}"]`)) continue;
        list.append(draw(reply));
      }
      cursor = page.next_cursor;
      loaded = true;
      more.replaceChildren();
      if (cursor) more.append(h("button", { type: "button", class: "link-button", onclick: () => void load() }, "More replies"));
    } catch (error) {
      if (signal.aborted) return;
      more.replaceChildren(h("button", { type: "button", class: "link-button", onclick: () => void load() }, "Couldn't load replies. Try again"));
      toast(describe(error));
    }
  };

  toggle.addEventListener("click", () => {
    setOpen(!open);
    if (open && !loaded) void load();
  });
  paintToggle();

  return {
    els: [toggle, list, more],
    add(reply) {
      item.reply_count += 1;
      setOpen(true);
      const ready = loaded ? Promise.resolve() : load();
      void ready.then(() => {
        if (reply.dataset.removed) return;
        const read = list.querySelector(`[data-comment-id="${CSS.escape(reply.dataset.commentId ?? "")}"]`);
        if (read) read.replaceWith(reply);
        else list.append(reply);
      });
    },
    drop() {
      item.reply_count = Math.max(0, item.reply_count - 1);
      paintToggle();
    },
  };
}
