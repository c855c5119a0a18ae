/**
 * The inbox (`/inbox`): likes, comments, replies, mentions, new followers and moderators'
 * decisions, grouped ("mira and 12 others liked your video"), latest activity first. Opening it
 * marks everything read.
 *
 * The nav's badge is told the unread count as it changes, pushed by the server (`./stream.ts`); while
 * the push channel is down it polls every few seconds instead. The open inbox reloads when something
 * new arrives.
 */

import "./notifications.css";
import { ApiError, describe, get, request } from "../api";
import { h, timeAgo } from "../dom";
import { route, type View } from "../router";
import type { Schemas } from "../schemas";
import { currentSession, onSessionChange } from "../session";
import { emptyState, errorState, spinner, toast } from "../ui";
import { LiveUnread } from "./stream";

/** An inbox item as the server sends it; the server's schema says `kind` is a string, these are the
 * kinds it sends and this view words. */
export type Notification = Schemas["NotificationPublic"] & {
  kind: "like" | "comment" | "reply" | "mention" | "follow" | "moderation";
};
/** A page of the inbox as the server sends it, its items read as the kinds above. */
export type InboxPage = Omit<Schemas["NotificationsPage"], "items"> & { items: Notification[] };

/** Registers `/inbox` with the shell's router. */
export function inboxRoutes(): void {
  route("/inbox", () => inboxView());
}

/** Who did it: "mira", "mira and ben", "mira and 12 others", "Someone" (names erased). */
export function whoText(n: Notification): string {
  const [first, second] = n.actors.map((a) => `@${a.handle}`);
  if (!first) return n.count > 1 ? `${n.count} people` : "Someone";
  const others = n.count - 1;
  if (others <= 0) return first;
  if (others === 1 && second) return `${first} and ${second}`;
  return `${first} and ${others} ${others === 1 ? "other" : "others"}`;
}

/** The sentence an item reads as. */
export function itemText(n: Notification): string {
  switch (n.kind) {
    case "like": return `${whoText(n)} liked your video`;
    case "comment": return `${whoText(n)} commented on your video`;
    case "reply": return `${whoText(n)} replied to your comment`;
    case "mention": return `${whoText(n)} mentioned you`;
    case "follow": return `${whoText(n)} started following you`;
    case "moderation": return "A moderator made a decision about your account or content";
  }
}

/** Where tapping the item goes. */
export function itemHref(n: Notification): string {
  switch (n.kind) {
    case "like":
    case "comment":
    case "mention": return `/v/${n.target_id}`;
    case "reply": return n.video_id ? `/v/${n.video_id}` : "/inbox";
    case "follow": return n.actors[0] ? `/u/${n.actors[0].user_id}` : "/inbox";
    case "moderation": return "/notices";
  }
}

export function inboxView(): View {
  const el = h("section", { class: "inbox" });
  const controller = new AbortController();
  if (!currentSession()) {
    el.append(emptyState("Sign in to see your inbox", "Likes, comments and new followers show up here.", {
      label: "Sign in",
      href: "/signin?next=%2Finbox",
    }));
    return { el, title: "Inbox" };
  }
  const list = h("ol", { class: "inbox-list", role: "list", "aria-label": "Notifications" });
  const more = h("div", { class: "inbox-more" });
  el.append(h("header", { class: "inbox-head" }, h("h1", { tabindex: "-1" }, "Inbox")), settingsPanel(controller.signal), list, more);
  let cursor: string | null = null;

  async function load(reset: boolean): Promise<void> {
    if (reset) cursor = null;
    more.replaceChildren(spinner("Loading notifications"));
    try {
      const page = await get<InboxPage>("/v1/me/notifications", { limit: 20, cursor }, controller.signal);
      if (reset) list.replaceChildren();
      for (const n of page.items) list.append(item(n));
      cursor = page.next_cursor;
      more.replaceChildren();
      if (!list.childElementCount) {
        more.append(emptyState("Nothing yet", "When people like or comment on your videos, or follow you, you will see it here."));
      } else if (cursor) {
        more.append(h("button", { class: "button secondary", type: "button", onclick: () => void load(false) }, "Load more"));
      }
      if (reset && page.items.some((n) => n.unread)) await markRead();
    } catch (error) {
      if (controller.signal.aborted) return;
      if (error instanceof ApiError && error.status === 401) {
        el.replaceChildren(emptyState("Sign in to see your inbox", "Your session has ended.", { label: "Sign in", href: "/signin?next=%2Finbox" }));
        return;
      }
      more.replaceChildren(errorState(error, () => void load(reset)));
    }
  }

  void load(true);
  // Something new while the inbox is open: show it (which marks it read).
  const stopListening = onUnread((unread) => {
    if (unread > 0) void load(true);
  });
  return {
    el,
    title: "Inbox",
    destroy: () => {
      controller.abort();
      stopListening();
    },
  };
}

const MUTABLE: [Notification["kind"], string][] = [
  ["like", "Likes on your videos"],
  ["comment", "Comments on your videos"],
  ["reply", "Replies to your comments"],
  ["mention", "Mentions of you"],
  ["follow", "New followers"],
];

/** Which kinds to be told of: unticking one mutes it from now on (moderators' decisions always come). */
function settingsPanel(signal: AbortSignal): HTMLElement {
  const boxes = new Map<string, HTMLInputElement>();
  const fieldset = h("fieldset", { class: "inbox-settings-kinds", disabled: true },
    h("legend", {}, "Tell me about"),
    ...MUTABLE.map(([kind, label]) => {
      const box = h("input", { type: "checkbox", name: kind, checked: true, onchange: () => void save() });
      boxes.set(kind, box);
      return h("label", {}, box, ` ${label}`);
    }),
  );

  async function save(): Promise<void> {
    const muted = MUTABLE.map(([kind]) => kind).filter((kind) => !boxes.get(kind)!.checked);
    fieldset.disabled = true;
    try {
      await request("PUT", "/v1/me/notifications/settings", { body: { muted } });
      toast("Notification settings saved");
    } catch (error) {
      toast(describe(error));
    } finally {
      fieldset.disabled = false;
    }
  }

  void get<Schemas["SettingsPublic"]>("/v1/me/notifications/settings", undefined, signal).then(({ muted }) => {
    for (const [kind, box] of boxes) box.checked = !muted.includes(kind);
    fieldset.disabled = false;
  }).catch(() => {
    fieldset.disabled = false;
  });
  return h("details", { class: "inbox-settings" }, h("summary", {}, "Notification settings"), fieldset);
}

function item(n: Notification): HTMLElement {
  return h("li", { class: n.unread ? "inbox-item unread" : "inbox-item", "data-kind": n.kind },
    h("a", { href: itemHref(n) },
      h("span", { class: "inbox-icon", "aria-hidden": "true" }, ICONS[n.kind]),
      h("span", { class: "inbox-text" }, itemText(n)),
      h("time", { class: "inbox-when", datetime: n.last_at }, timeAgo(n.last_at)),
      n.unread ? h("span", { class: "visually-hidden" }, "(new)") : null,
    ),
  );
}

const ICONS: Record<Notification["kind"], string> = {
  like: "♥",
  comment: "💬",
  reply: "↩",
  mention: "@",
  follow: "☺",
  moderation: "⚑",
};

// -- the badge ------------------------------------------------------------------------------------

const badge = h("span", { class: "inbox-badge", hidden: true, "aria-hidden": "true" });
const badgeLabel = h("span", { class: "visually-hidden" });
const unreadListeners = new Set<(unread: number) => void>();
let live: LiveUnread | null = null;

/** The nav's Inbox link, with its unread badge; `null` when signed out. */
export function inboxLink(path: string): HTMLElement | null {
  if (!currentSession()) return null;
  const active = path === "/inbox";
  startWatching();
  return h("a", { href: "/inbox", class: active ? "active" : "", "aria-current": active ? "page" : null },
    h("span", { class: "icon inbox-icon-wrap", "aria-hidden": "true" }, "✉", badge),
    h("span", {}, "Inbox"),
    badgeLabel,
  );
}

/** "99+" past the server's cap; nothing at zero. */
export function badgeText(unread: number): string {
  if (unread <= 0) return "";
  return unread >= 100 ? "99+" : String(unread);
}

/** Calls `listener` with each unread count the badge is told; returns what stops it. */
function onUnread(listener: (unread: number) => void): () => void {
  unreadListeners.add(listener);
  return () => unreadListeners.delete(listener);
}

function counted(unread: number): void {
  showUnread(location.pathname === "/inbox" ? 0 : unread);
  for (const listener of unreadListeners) listener(unread);
}

function showUnread(unread: number): void {
  const text = badgeText(unread);
  badge.textContent = text;
  badge.hidden = !text;
  badgeLabel.textContent = text ? `, ${unread} unread` : "";
}

async function markRead(): Promise<void> {
  await request<Schemas["MarkedRead"]>("POST", "/v1/me/notifications/read");
  showUnread(0);
}

async function poll(): Promise<void> {
  if (!currentSession() || document.hidden) return;
  try {
    const { unread } = await get<Schemas["UnreadCount"]>("/v1/me/notifications/unread-count");
    counted(unread);
  } catch {
    // A missed poll is retried on the next tick.
  }
}

function startWatching(): void {
  if (live !== null) return;
  live = new LiveUnread({ onCount: counted, poll });
  live.start();
  document.addEventListener("visibilitychange", () => {
    if (!live?.live) void poll();
  });
  onSessionChange(() => {
    live?.stop();
    if (!currentSession()) showUnread(0);
    else live?.start();
  });
}
