/**
 * Notices (`/notices`): what moderators did to the signed-in person's account and content, newest
 * first, with the reason they gave. An adverse action can be appealed once, with a statement; the
 * notice then shows how the appeal stands.
 */

import "../moderation/moderation.css";
import { ApiError, get, request } from "../api";
import { h } from "../dom";
import { capitalWords, STATEMENT_MAX } from "../moderation/api";
import { openDialog } from "../moderation/dialog";
import { when } from "../moderation/people";
import { type View } from "../router";
import type { Schemas } from "../schemas";
import { currentSession } from "../session";
import { emptyState, errorState, spinner, toast } from "../ui";

/** One notice, as the server's schema has it (../schemas.ts). */
type Notice = Schemas["NoticePublic"];

export function noticesView(): View {
  const el = h("section", { class: "mod notices" });
  const controller = new AbortController();
  if (!currentSession()) {
    el.append(emptyState("Sign in to see your notices", "What moderators did to your account and posts is listed here.", {
      label: "Sign in",
      href: "/signin?next=%2Fnotices",
    }));
    return { el, title: "Notices" };
  }
  const list = h("ol", { class: "mod-list notice-list", role: "list", "aria-label": "Notices" });
  const more = h("div", { class: "mod-more" });
  const heading = h("h1", { tabindex: "-1" }, "Notices");
  el.append(h("header", { class: "mod-head" }, heading), list, more);
  let cursor: string | null = null;

  async function load(reset: boolean, minPosition?: number): Promise<void> {
    if (reset) cursor = null;
    more.replaceChildren(spinner("Loading notices"));
    try {
      const query = { limit: 20, cursor, min_position: minPosition };
      const page = await get<Schemas["NoticesPage"]>("/v1/me/notices", query, controller.signal);
      if (reset) list.replaceChildren();
      for (const notice of page.items) list.append(item(notice));
      cursor = page.next_cursor;
      more.replaceChildren();
      if (!list.childElementCount) {
        more.append(emptyState("No notices", "Moderators have not acted on your account or anything you posted."));
      } else if (cursor) {
        more.append(h("button", { class: "button secondary", type: "button", onclick: () => void load(false) }, "Load more notices"));
      }
    } catch (error) {
      if (controller.signal.aborted) return;
      if (error instanceof ApiError && error.status === 401) {
        el.replaceChildren(emptyState("Sign in to see your notices", "Your session has ended.", { label: "Sign in", href: "/signin?next=%2Fnotices" }));
        return;
      }
      more.replaceChildren(errorState(error, () => void load(reset, minPosition)));
    }
  }

  function item(n: Notice): HTMLElement {
    const li = h("li", { class: "notice", "data-action": n.action ?? n.kind },
      h("p", { class: "notice-title" }, h("strong", {}, title(n))),
      h("p", { class: "mod-muted" }, when(n.at), until(n)),
      n.reason ? h("p", { class: "mod-reason" }, `Reason: ${n.reason}`) : null,
      target(n),
    );
    if (n.appeal) {
      li.append(h("p", { class: `notice-appeal appeal-${n.appeal}`, "data-appeal": n.appeal }, appealWords(n.appeal)));
    } else if (n.appealable && n.action_id) {
      const actionId = n.action_id;
      li.append(h("button", { class: "button secondary", type: "button", "aria-label": `Appeal: ${title(n)}`, onclick: () => appeal(actionId, title(n)) }, "Appeal"));
    }
    return li;
  }

  function appeal(actionId: string, what: string): void {
    openDialog({
      title: "Appeal",
      intro: `${what}. Say why it was wrong: a moderator other than the one who acted decides. You can appeal once.`,
      submit: "Send appeal",
      words: { label: "Your statement", name: "statement", max: STATEMENT_MAX, what: "a statement", hint: `At most ${STATEMENT_MAX} characters` },
      send: async (statement) => {
        const received = await request<Schemas["AppealReceived"]>("POST", "/v1/me/appeals", { body: { action_id: actionId, statement } satisfies Schemas["AppealCreate"] });
        toast("Appeal sent");
        await load(true, received.position);
        heading.focus({ preventScroll: true });
      },
    });
  }

  void load(true);
  return { el, title: "Notices", destroy: () => controller.abort() };
}

function title(n: Notice): string {
  const labels = n.labels.map(capitalWords).join(", ");
  switch (n.action) {
    case "remove_video": return "Your video was removed";
    case "restore_video": return "Your video was restored";
    case "remove_comment": return "Your comment was removed";
    case "restore_comment": return "Your comment was restored";
    case "label_video": return `Your video was labelled${labels ? `: ${labels}` : ""}`;
    case "unlabel_video": return `Labels were taken off your video${labels ? `: ${labels}` : ""}`;
    case "restrict": return `You may not ${n.capability ?? "do something"} for a while`;
    case "lift_restriction": return `You may ${n.capability ?? "do that"} again`;
    case "strike": return "A strike was recorded on your account";
    case "remove_strike": return "A strike was removed from your account";
    case "suspend": return "Your account was suspended";
    case "unsuspend": return "Your account's suspension was lifted";
  }
  if (n.kind === "AppealFiled") return "You appealed a moderation action";
  if (n.kind === "AppealDecided") return n.appeal === "granted" ? "Your appeal was granted" : "Your appeal was denied";
  return n.kind.replace(/([a-z])([A-Z])/g, "$1 $2");
}

function until(n: Notice): string | HTMLElement {
  if (!n.until) return n.action === "suspend" ? " · until lifted" : "";
  return h("span", {}, n.action === "strike" ? " · counts until " : " · until ", when(n.until));
}

function target(n: Notice): HTMLElement | null {
  if (n.target_kind === "video" && n.target_id) return h("p", {}, h("a", { href: `/v/${n.target_id}` }, "See the video"));
  return null;
}

/** pending, granted or denied: the server names an appeal's status as text. */
function appealWords(status: NonNullable<Notice["appeal"]>): string {
  return status === "pending" ? "Appeal pending: a moderator will decide" : status === "granted" ? "Appeal granted" : "Appeal denied";
}
