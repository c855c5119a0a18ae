/** Shared pieces every view uses for its states: loading, empty, error, offline, and toasts. */

import { ApiError, describe } from "./api";
import { h } from "./dom";
import { navigate } from "./router";
import { currentSession } from "./session";

/** A short message read out by screen readers and shown for a few seconds. */
export function toast(message: string): void {
  const region = document.getElementById("toasts");
  if (!region) return;
  const item = h("div", { class: "toast" }, message);
  region.append(item);
  setTimeout(() => item.remove(), 3500);
}

export function spinner(label = "Loading"): HTMLElement {
  return h("div", { class: "state state-loading", role: "status", "aria-live": "polite" },
    h("span", { class: "spinner", "aria-hidden": "true" }),
    h("span", { class: "visually-hidden" }, label),
  );
}

export function emptyState(title: string, text: string, action?: { label: string; href: string }): HTMLElement {
  return h("div", { class: "state state-empty", role: "status" },
    h("h2", {}, title),
    h("p", {}, text),
    action ? h("a", { class: "button", href: action.href }, action.label) : null,
  );
}

/** An error with a retry button; says "offline" plainly when there is no network. */
export function errorState(error: unknown, retry: () => void): HTMLElement {
  const offline = error instanceof ApiError && error.offline;
  return h("div", { class: "state state-error", role: "alert" },
    h("h2", {}, offline ? "You are offline" : "Something went wrong"),
    h("p", {}, offline ? "Check your connection and try again." : describe(error)),
    h("button", { class: "button", type: "button", onclick: retry }, "Try again"),
  );
}

/** True when signed in; otherwise sends the person to sign in and back here afterwards. */
export function requireSignIn(): boolean {
  if (currentSession()) return true;
  toast("Sign in to do that");
  navigate(`/signin?next=${encodeURIComponent(location.pathname)}`);
  return false;
}
