/**
 * The comments sheet's modal frame: one open at a time, over the app made inert; Escape and the
 * backdrop close it; Tab stays inside; keys never reach the feed underneath; navigating away closes
 * it; focus goes back where it was.
 */

import { h, trapTab } from "../dom";

export interface Frame {
  close(restoreFocus?: boolean): void;
  /** Aborted once the frame closes: requests and observers of the sheet stop with it. */
  signal: AbortSignal;
}

let closeOpen: (() => void) | null = null;

/** Closes the sheet open now, if any. */
export function closeOpenSheet(): void {
  closeOpen?.();
}


export function openFrame(sheet: HTMLElement): Frame {
  closeOpen?.();
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const host = document.getElementById("app") ?? document.body;
  const controller = new AbortController();
  const backdrop = h("div", { class: "sheet-backdrop", "aria-hidden": "true", onclick: () => close() });

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
      trapTab(sheet, event);
    } else if (!sheet.contains(event.target as Node)) {
      event.stopPropagation();
    }
  };
  document.addEventListener("keydown", onKey, true);
  sheet.addEventListener("keydown", (event) => event.stopPropagation());

  return { close, signal: controller.signal };
}
