/**
 * The sign-in sheet: a modal bottom sheet over the feed, opened when a signed-out person likes,
 * follows or comments. Signing in here (or creating an account) keeps them on the same video at the
 * same scroll position, and what they asked for is then done by the caller.
 */

import "../comments/comments.css";
import "./auth.css";
import { h, trapTab } from "../dom";
import { currentSession } from "../session";
import { authForm } from "./view";

type Mode = "signin" | "signup";


let open: Promise<boolean> | null = null;

/**
 * True at once when signed in; otherwise asks the person to sign in over the current page and says
 * whether they did (false when they closed the sheet). One sheet at a time: a second ask shares it.
 */
export function whenSignedIn(why = "Sign in to continue"): Promise<boolean> {
  if (currentSession()) return Promise.resolve(true);
  open ??= showSheet(why).finally(() => (open = null));
  return open;
}

function showSheet(why: string): Promise<boolean> {
  return new Promise((resolve) => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const host = document.getElementById("app") ?? document.body;
    let mode: Mode = "signin";

    const title = h("h2", { class: "sheet-title", id: "signin-sheet-title" });
    const reason = h("p", { class: "signin-sheet-why" }, why);
    const body = h("div", { class: "signin-sheet-body" });
    const closeButton = h("button", { class: "icon-button sheet-close", type: "button", "aria-label": "Close", onclick: () => finish(false) }, "✕");
    const sheet = h("section", {
      class: "sheet signin-sheet",
      role: "dialog",
      "aria-modal": "true",
      "aria-labelledby": "signin-sheet-title",
      "data-sheet": "signin",
      tabindex: "-1",
    },
      h("header", { class: "sheet-head" }, h("span", { class: "sheet-grabber", "aria-hidden": "true" }), title, closeButton),
      body,
    );
    const backdrop = h("div", { class: "sheet-backdrop", "aria-hidden": "true", onclick: () => finish(false) });

    const render = (next: Mode): void => {
      mode = next;
      title.textContent = mode === "signin" ? "Sign in to Strom" : "Create your account";
      const { form, focus } = authForm(mode, {
        labelledBy: "signin-sheet-title",
        onSignedIn: () => finish(true),
        onCreatedOnly: () => render("signin"),
      });
      const other = mode === "signin"
        ? h("p", { class: "auth-switch" }, "New to Strom? ", h("button", { type: "button", class: "link-button", onclick: () => render("signup") }, "Create an account"))
        : h("p", { class: "auth-switch" }, "Already have an account? ", h("button", { type: "button", class: "link-button", onclick: () => render("signin") }, "Sign in"));
      body.replaceChildren(reason, form, other);
      focus();
    };

    // Everything else on the page is out of reach while the sheet is open.
    const inerted: HTMLElement[] = [];
    for (const child of Array.from(host.children)) {
      if (child instanceof HTMLElement && child.id !== "toasts" && !child.inert) {
        child.inert = true;
        inerted.push(child);
      }
    }
    host.append(backdrop, sheet);
    render(mode);
    requestAnimationFrame(() => sheet.classList.add("open"));

    // Leaving the page (a link, back) closes the sheet without signing in.
    const view = document.getElementById("view");
    const leave = new MutationObserver(() => finish(false, false));
    if (view) leave.observe(view, { childList: true });
    const onPop = (): void => finish(false, false);
    window.addEventListener("popstate", onPop);

    const onKey = (event: KeyboardEvent): void => {
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        finish(false);
      } else if (event.key === "Tab") {
        trapTab(sheet, event);
      } else if (!sheet.contains(event.target as Node)) {
        event.stopPropagation();
      }
    };
    document.addEventListener("keydown", onKey, true);
    // The feed underneath must not scroll or pause on keys typed into the form.
    sheet.addEventListener("keydown", (event) => event.stopPropagation());

    let done = false;
    function finish(signedIn: boolean, restoreFocus = true): void {
      if (done) return;
      done = true;
      leave.disconnect();
      window.removeEventListener("popstate", onPop);
      document.removeEventListener("keydown", onKey, true);
      for (const el of inerted) el.inert = false;
      sheet.remove();
      backdrop.remove();
      if (restoreFocus && opener?.isConnected) opener.focus({ preventScroll: true });
      resolve(signedIn);
    }
  });
}
