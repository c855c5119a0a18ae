/** The sheet's Newest / Top tabs: an ARIA tablist over the comments panel, arrows, Home and End to move. */

import { h } from "../dom";
import type { CommentOrder } from "./api";
import { tabForKey } from "./display";

export interface OrderTabs {
  el: HTMLElement;
  /** Selects a tab; the first selection, and any that changes the order, calls `onOrder`. */
  select(order: CommentOrder, focus?: boolean): void;
  readonly order: CommentOrder;
}

export function orderTabs(panel: HTMLElement, onOrder: (order: CommentOrder) => void): OrderTabs {
  const tabs: Record<CommentOrder, HTMLButtonElement> = {
    newest: h("button", { type: "button", role: "tab", id: "comments-tab-newest", "aria-controls": "comments-panel" }, "Newest"),
    top: h("button", { type: "button", role: "tab", id: "comments-tab-top", "aria-controls": "comments-panel" }, "Top"),
  };
  const el = h("div", { class: "sheet-tabs", role: "tablist", "aria-label": "Order comments by" }, tabs.newest, tabs.top);
  let order: CommentOrder = "newest";
  let started = false;

  const select = (next: CommentOrder, focus = false): void => {
    for (const [name, tab] of Object.entries(tabs) as [CommentOrder, HTMLButtonElement][]) {
      const selected = name === next;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
    }
    panel.setAttribute("aria-labelledby", tabs[next].id);
    if (focus) tabs[next].focus();
    if (next !== order || !started) {
      started = true;
      order = next;
      onOrder(next);
    }
  };
  tabs.newest.addEventListener("click", () => select("newest"));
  tabs.top.addEventListener("click", () => select("top"));
  el.addEventListener("keydown", (event) => {
    const next = tabForKey(event.key, order);
    if (next === null) return;
    event.preventDefault();
    select(next, true);
  });
  return {
    el,
    select,
    get order() {
      return order;
    },
  };
}
