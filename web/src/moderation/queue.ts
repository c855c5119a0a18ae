/**
 * The moderation queue (`/moderation`): cases highest priority first, filtered by state and reason.
 * The filters live in the URL (`?state=escalated&reason=spam`) so a filtered queue can be shared,
 * reloaded and gone back to. Staff only: the API answers anyone else 403, shown as "not allowed".
 */

import "./moderation.css";
import { ApiError, profileOf } from "../api";
import { h, timeAgo } from "../dom";
import { navigate, type View } from "../router";
import { currentSession } from "../session";
import { emptyState, errorState, spinner } from "../ui";
import { CASE_STATES, QUEUE_REASONS, queue, words, type CaseSummary } from "./api";
import { choice } from "./dialog";

export function queueView(): View {
  const el = h("section", { class: "mod" });
  const controller = new AbortController();
  const params = new URLSearchParams(location.search);
  const state = pick(params.get("state"), CASE_STATES, "open");
  const reason = pick(params.get("reason"), QUEUE_REASONS, "any");

  if (!currentSession()) {
    el.append(emptyState("Sign in to moderate", "The moderation queue is for moderators and admins.", {
      label: "Sign in",
      href: `/signin?next=${encodeURIComponent(location.pathname + location.search)}`,
    }));
    return { el, title: "Moderation" };
  }

  const list = h("ol", { class: "mod-queue", role: "list", "aria-label": "Cases" });
  const more = h("div", { class: "mod-more" });
  const count = h("p", { class: "mod-count", role: "status", "aria-live": "polite" });
  el.append(
    h("header", { class: "mod-head" }, h("h1", {}, "Moderation queue"), h("a", { href: "/notices" }, "Your notices")),
    filters(state, reason),
    count,
    list,
    more,
  );

  let cursor: string | null = null;
  let shown = 0;

  async function loadPage(): Promise<void> {
    more.replaceChildren(spinner("Loading cases"));
    try {
      const page = await queue({ state, reason, cursor }, controller.signal);
      for (const item of page.items) list.append(caseItem(item));
      shown += page.items.length;
      cursor = page.next_cursor;
      count.textContent = shown === 0 ? "" : `${shown}${cursor ? "+" : ""} ${shown === 1 ? "case" : "cases"}`;
      more.replaceChildren();
      if (shown === 0) {
        more.append(emptyState("Nothing here", `No ${words(state)} cases${reason === "any" ? "" : ` for ${words(reason)}`}.`));
      } else if (cursor) {
        more.append(h("button", { class: "button secondary", type: "button", onclick: () => void loadPage() }, "Load more cases"));
      }
    } catch (error) {
      if (controller.signal.aborted) return;
      if (error instanceof ApiError && error.status === 403) {
        el.replaceChildren(notAllowed());
        return;
      }
      more.replaceChildren(errorState(error, () => void loadPage()));
    }
  }

  void loadPage();
  return { el, title: "Moderation", destroy: () => controller.abort() };
}

/** The filter form: choosing is free, Show applies it (the URL changes, the list reloads). */
function filters(state: string, reason: string): HTMLElement {
  const stateField = choice("State", "state", CASE_STATES.map((s) => [s, capital(s)] as const));
  const reasonField = choice("Reason", "reason", QUEUE_REASONS.map((r) => [r, r === "any" ? "Any reason" : r === "appeal" ? "Appealed" : capital(words(r))] as const));
  stateField.control.value = state;
  reasonField.control.value = reason;
  const form = h("form", { class: "mod-filters", "aria-label": "Filter cases" },
    stateField.el,
    reasonField.el,
    h("button", { class: "button secondary", type: "submit" }, "Show"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = new URLSearchParams();
    if (stateField.control.value !== "open") query.set("state", stateField.control.value);
    if (reasonField.control.value !== "any") query.set("reason", reasonField.control.value);
    const text = query.toString();
    navigate(text ? `/moderation?${text}` : "/moderation");
  });
  return form;
}

function caseItem(item: CaseSummary): HTMLElement {
  const by = h("span", { class: "mod-subject" });
  if (item.subject_id && item.target_kind !== "user") {
    profileOf(item.subject_id).then((p) => by.append(` by @${p.handle ?? "deleted"}`), () => undefined);
  } else if (item.target_kind === "user" && item.subject_id) {
    profileOf(item.subject_id).then((p) => by.append(` @${p.handle ?? "deleted"}`), () => undefined);
  }
  const when = item.last_reported_at
    ? `Last report ${timeAgo(item.last_reported_at)}${item.first_reported_at && item.first_reported_at !== item.last_reported_at ? `, first ${timeAgo(item.first_reported_at)}` : ""}`
    : "No reports";
  return h("li", { class: "mod-case", "data-case-id": item.case_id },
    h("div", { class: "mod-case-head" },
      h("a", { class: "mod-case-link", href: `/moderation/cases/${item.case_id}` }, targetName(item.target_kind), by),
      h("span", { class: `mod-badge state-${item.state}` }, capital(item.state)),
    ),
    h("dl", { class: "mod-facts" },
      fact("Reports", String(item.reports), "reports"),
      fact("Priority", (item.priority / 100).toFixed(2), "priority"),
      fact("Assignee", item.assignee_id ? (item.assignee_id === currentSession()?.userId ? "You" : short(item.assignee_id)) : "Nobody", "assignee"),
    ),
    item.reasons.length ? h("ul", { class: "mod-reasons", "aria-label": "Reasons" }, ...item.reasons.map((r) => h("li", {}, words(r)))) : null,
    item.appeal ? h("p", { class: "mod-appealed" }, "Appealed: waiting for a decision") : null,
    h("p", { class: "mod-when" }, when),
  );
}

export function fact(term: string, value: string, key?: string): HTMLElement {
  return h("div", {}, h("dt", {}, term), h("dd", { "data-fact": key ?? null }, value));
}

export function targetName(kind: string): string {
  return kind === "video" ? "Video" : kind === "comment" ? "Comment" : "Account";
}

/** The first block of an id: enough to tell cases apart at a glance. */
export function short(id: string): string {
  return id.slice(0, 8);
}

export function capital(text: string): string {
  return text ? text[0]!.toUpperCase() + text.slice(1) : text;
}

export function notAllowed(): HTMLElement {
  return emptyState("Not allowed", "Only moderators and admins can see this page.", { label: "Go home", href: "/" });
}

function pick<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}
