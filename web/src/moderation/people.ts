/** Names for the ids the moderation pages show: moderators, reporters, subjects. */

import { profileOf } from "../api";
import { h } from "../dom";
import { currentSession } from "../session";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A link to the person's profile, named by their handle once it is known; system actors
 * (screening, the operator) are named as they are. */
export function person(id: string | null): HTMLElement {
  if (!id) return h("span", {}, "nobody");
  if (!UUID.test(id)) return h("span", { class: "mod-system" }, id.replace(/^system:/, "system: "));
  const me = currentSession()?.userId === id;
  const link = h("a", { href: `/u/${id}`, class: "mod-person" }, me ? "you" : id.slice(0, 8));
  if (!me) {
    profileOf(id).then(
      (p) => (link.textContent = p.handle ? `@${p.handle}` : "deleted account"),
      () => undefined,
    );
  }
  return link;
}

/** "ContentModerated" → "Content moderated". */
export function eventWords(kind: string): string {
  const spaced = kind.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  return spaced ? spaced[0]!.toUpperCase() + spaced.slice(1) : spaced;
}

/** A date and time as the reader's locale writes it, in a <time> element. */
export function when(iso: string): HTMLElement {
  return h("time", { datetime: iso }, new Date(iso).toLocaleString());
}
