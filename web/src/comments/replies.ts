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
  /** The viewer's reply, drawn at once, at the foot of the open thread. A thread not read yet is read
   * once the post is `answered`: by then the reply carries its real id, so that read does not draw it
   * again (a read made before, by the toggle or for another reply, may: the reply's confirmation then
   * takes that copy out). The replies read land above the viewer's new ones, which are the newest. */
  add(reply: HTMLLIElement, answered: Promise<unknown>): void;
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

  let reading = false;
  const load = async (): Promise<void> => {
    if (reading) return;
    reading = true;
    more.replaceChildren(spinner("Loading replies"));
    try {
      const page = await repliesPage(item.comment_id, cursor, signal);
      const added = list.querySelector(":scope > [data-added]");
      for (const reply of page.items) {
        if (list.querySelector(`[data-comment-id="${CSS.escape(reply.comment_id)}"]`)) continue;
        list.insertBefore(draw(reply), added);
      }
      cursor = page.next_cursor;
      loaded = true;
      more.replaceChildren();
      if (cursor) more.append(h("button", { type: "button", class: "link-button", onclick: () => void load() }, "More replies"));
    } catch (error) {
      if (signal.aborted) return;
      more.replaceChildren(h("button", { type: "button", class: "link-button", onclick: () => void load() }, "Couldn't load replies. Try again"));
      toast(describe(error));
    } finally {
      reading = false;
    }
  };

  toggle.addEventListener("click", () => {
    setOpen(!open);
    if (open && !loaded) void load();
  });
  paintToggle();

  return {
    els: [toggle, list, more],
    add(reply, answered) {
      item.reply_count += 1;
      reply.dataset.added = "";
      list.append(reply);
      setOpen(true);
      if (loaded) return;
      more.replaceChildren(spinner("Loading replies"));
      // Registered before the sheet's own wait on the answer, this starts the read just before the
      // reply is confirmed; the read's answer comes back after.
      const read = (): void => {
        if (!signal.aborted && !loaded) void load();
      };
      answered.then(read, read);
    },
    drop() {
      item.reply_count = Math.max(0, item.reply_count - 1);
      paintToggle();
    },
  };
}
