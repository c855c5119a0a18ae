/** A profile's header: picture, name and handle, and its counts. */

import type { Profile } from "../api";
import { formatCount, h } from "../dom";
import { initialOf } from "../format";
import { countsOf, displayName } from "./display";

export function profileHeader(p: Profile): HTMLElement {
  return h("header", { class: "profile-head" },
    avatar(p),
    h("h1", { class: "profile-name" }, displayName(p)),
    h("p", { class: "profile-handle" }, p.handle ? `@${p.handle}` : ""),
  );
}

/** The counts, with the element of each so a follow can update its own. */
export function profileCounts(p: Profile): { el: HTMLElement; followers: HTMLElement } {
  const el = h("dl", { class: "profile-counts" });
  const shown: Partial<Record<string, HTMLElement>> = {};
  for (const [key, label, value] of countsOf(p)) {
    const dd = h("dd", { "data-count": key }, formatCount(value));
    shown[key] = dd;
    el.append(h("div", { class: "profile-count" }, dd, h("dt", {}, label)));
  }
  return { el, followers: shown.followers! };
}

function avatar(p: Profile): HTMLElement {
  if (p.avatar_url && !p.erased) return h("img", { class: "avatar avatar-lg", src: p.avatar_url, alt: "" });
  return h("span", { class: "avatar avatar-lg avatar-initial", "aria-hidden": "true" }, initialOf(p.display_name, p.handle));
}
