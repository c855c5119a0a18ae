/**
 * An account's standing (`/moderation/users/<id>`): whether it is suspended and until when, the
 * restrictions in force with their end, the strikes that count; each can be lifted or removed with
 * a reason, and new ones imposed.
 */

import "./moderation.css";
import { ApiError, profileOf } from "../api";
import { h } from "../dom";
import { type View } from "../router";
import { emptyState, errorState, spinner, toast } from "../ui";
import { openRestrict, openStrike, openSuspend, openUndo } from "./actions";
import { capitalWords, standing, type Standing, type Taken } from "./api";
import { person, when } from "./people";
import { notAllowed } from "./queue";

export function standingView(userId: string): View {
  const el = h("section", { class: "mod" });
  const controller = new AbortController();

  async function load(minPosition?: number): Promise<void> {
    if (!el.childElementCount) el.append(spinner("Loading account standing"));
    try {
      const found = await standing(userId, minPosition, controller.signal);
      if (!controller.signal.aborted) render(found);
    } catch (error) {
      if (controller.signal.aborted) return;
      if (error instanceof ApiError && error.status === 403) el.replaceChildren(notAllowed());
      else if (error instanceof ApiError && error.status === 422) {
        el.replaceChildren(emptyState("No such account", "The link is wrong.", { label: "Back to the queue", href: "/moderation" }));
      } else el.replaceChildren(errorState(error, () => void load(minPosition)));
    }
  }

  let acted = false;
  const done = (message: string) => (taken: Taken): void => {
    acted = true;
    toast(taken.recorded ? message : "Nothing changed");
    void load(taken.position);
  };

  function render(s: Standing): void {
    const name = h("p", { class: "mod-account" }, person(userId));
    profileOf(userId).then((p) => name.append(p.display_name && !p.erased ? ` · ${p.display_name}` : ""), () => undefined);
    const button = (label: string, onclick: () => void, extra: Record<string, string> = {}): HTMLButtonElement =>
      h("button", { class: "button secondary", type: "button", onclick, ...extra }, label);

    const suspension = h("section", { class: "mod-section", "aria-labelledby": "mod-suspension-title" },
      h("h2", { id: "mod-suspension-title" }, "Suspension"),
      s.suspended
        ? h("p", { "data-standing": "suspended" }, "Suspended ", s.suspended_until ? h("span", {}, "until ", when(s.suspended_until)) : "until lifted")
        : h("p", { "data-standing": "active" }, "Not suspended"),
      s.suspended ? button("Lift suspension", () => openUndo(userId, { kind: "unsuspend" }, done("Suspension lifted"))) : null,
    );

    const restrictions = h("ul", { class: "mod-list", role: "list" });
    for (const r of s.restrictions) {
      restrictions.append(h("li", { class: "mod-row" },
        h("span", {}, h("strong", {}, capitalWords(r.capability)), " until ", when(r.until)),
        button("Lift", () => openUndo(userId, { kind: "lift", capability: r.capability }, done("Restriction lifted")),
          { "aria-label": `Lift the ${r.capability} restriction` }),
      ));
    }
    if (!s.restrictions.length) restrictions.append(h("li", { class: "mod-muted" }, "No restrictions"));

    const strikes = h("ul", { class: "mod-list", role: "list" });
    (s.strike_list ?? []).forEach((strike, i) => {
      strikes.append(h("li", { class: "mod-row" },
        h("span", {}, `Strike ${i + 1}, counts until `, when(strike.expires_at)),
        button("Remove", () => openUndo(userId, { kind: "strike", actionId: strike.action_id }, done("Strike removed")),
          { "aria-label": `Remove strike ${i + 1}` }),
      ));
    });
    if (!s.strikes) strikes.append(h("li", { class: "mod-muted" }, "No strikes"));

    const scope = { caseId: null, targetKind: "user" as const, targetId: userId, subjectId: userId };
    el.replaceChildren(
      h("nav", { class: "mod-crumbs", "aria-label": "Breadcrumb" }, h("a", { href: "/moderation" }, "Moderation queue")),
      h("header", { class: "mod-head" }, h("h1", { tabindex: "-1" }, "Account standing")),
      name,
      suspension,
      h("section", { class: "mod-section", "aria-labelledby": "mod-restrictions-title" },
        h("h2", { id: "mod-restrictions-title" }, `Restrictions (${s.restrictions.length})`), restrictions),
      h("section", { class: "mod-section", "aria-labelledby": "mod-strikes-title" },
        h("h2", { id: "mod-strikes-title" }, `Strikes (${s.strikes})`), strikes),
      h("section", { class: "mod-section", "aria-labelledby": "mod-act-title" },
        h("h2", { id: "mod-act-title" }, "Act on this account"),
        h("div", { class: "mod-actions" },
          button("Restrict account", () => openRestrict({ ...scope, done: done("Account restricted") })),
          s.suspended ? null : button("Suspend account", () => openSuspend({ ...scope, done: done("Account suspended") })),
          button("Strike", () => openStrike({ ...scope, done: done("Strike recorded") })),
        ),
      ),
    );
    // After an action the button that opened its dialog is gone: start again from the heading.
    if (acted) el.querySelector("h1")?.focus({ preventScroll: true });
  }

  void load();
  return { el, title: "Account standing", destroy: () => controller.abort() };
}
