/**
 * A profile: who they are, their counts, follow / edit / sign out, and a grid of their videos.
 *
 * This module reads the profile and lays it out; the header (header.ts), the follow button
 * (follow.ts), the editor (editor.ts), the consent switch (consent.ts), the videos (videos.ts) and
 * the data export (export.ts) are drawn apart, and what shows in which state is decided in display.ts.
 */

import "./profile.css";
import { ApiError, get, profileOf, signOut as endSession, type Profile } from "../api";
import { h } from "../dom";
import { navigate, type View } from "../router";
import { currentSession, isStaff } from "../session";
import { emptyState, errorState, spinner, toast } from "../ui";
import { pageTitle, sectionsOf } from "./display";
import { avatarPicker } from "./avatar";
import { openEditor } from "./editor";
import { dataExportPanel } from "./export";
import { followButton } from "./follow";
import { profileCounts, profileHeader } from "./header";
import { personalisationSwitch } from "./consent";
import { Posters, videoGrid } from "./videos";
import { scheduledList } from "../upload/schedule";

export function profileView(userId: string): View {
  const el = h("section", { class: "profile" });
  const controller = new AbortController();
  let observer: IntersectionObserver | null = null;
  const posters = new Posters(controller.signal);
  let profile: Profile | null = null;

  const isMe = (): boolean => currentSession()?.userId === userId;

  async function load(minPosition?: number): Promise<void> {
    el.replaceChildren(spinner("Loading profile"));
    try {
      profile = minPosition
        ? await get<Profile>(`/v1/users/${userId}`, { min_position: minPosition }, controller.signal)
        : await profileOf(userId, true);
      if (controller.signal.aborted) return;
      render(profile);
    } catch (error) {
      if (controller.signal.aborted) return;
      if (error instanceof ApiError && (error.status === 404 || error.status === 422)) {
        el.replaceChildren(emptyState("This account does not exist", "It may have been deleted, or the link is wrong.", { label: "Go home", href: "/" }));
        document.title = "Not found · Strom";
        return;
      }
      el.replaceChildren(errorState(error, () => void load()));
    }
  }

  function render(p: Profile): void {
    document.title = pageTitle(p);
    const header = profileHeader(p);
    const counts = profileCounts(p);
    const actions = h("div", { class: "profile-actions" });
    if (isMe()) {
      actions.append(
        h("button", { class: "button secondary", type: "button", onclick: () => openEditor(p, actions, load) }, "Edit profile"),
        h("button", { class: "button secondary", type: "button", onclick: signOut }, "Sign out"),
        avatarPicker(p, load),
        personalisationSwitch(),
        dataExportPanel(controller.signal),
        h("nav", { class: "profile-links", "aria-label": "Your account" },
          h("a", { href: "/notices" }, "Notices"),
          isStaff() ? h("a", { href: "/moderation" }, "Moderation queue") : null,
          h("a", { href: "/transparency" }, "Transparency report"),
        ),
      );
    } else if (!p.erased) {
      actions.append(followButton(p, counts.followers));
    }
    const bio = p.bio ? h("p", { class: "profile-bio" }, p.bio) : "";
    const shown = sectionsOf(p, isMe(), isStaff());
    // They still see their own profile as it was; the notice says why and how to appeal.
    const banner = shown.banner
      ? h("p", { class: "profile-suspended-banner", role: "status" },
          "Your account is suspended: others do not see your profile or videos. ",
          h("a", { href: "/notices" }, "Read the notice"))
      : null;
    const suspended = shown.suspendedNotice
      ? h("div", { class: "profile-suspended", role: "status" },
          h("h2", {}, "This account is suspended"),
          h("p", {}, "Its profile and videos are hidden while the suspension lasts."))
      : null;
    const parts: (Node | string)[] = [header, counts.el, actions, bio];
    if (banner) parts.unshift(banner);
    if (suspended) parts.push(suspended);
    if (isMe()) parts.push(scheduledList(userId, controller.signal));
    parts.push(shown.videos ? grid() : "");
    el.replaceChildren(...parts);
  }

  function grid(): HTMLElement {
    const made = videoGrid(userId, controller.signal, posters);
    observer = made.observer;
    return made.el;
  }

  async function signOut(): Promise<void> {
    await endSession();
    toast("Signed out");
    navigate("/");
  }

  void load();
  return {
    el,
    title: "Profile",
    destroy() {
      controller.abort();
      observer?.disconnect();
      posters.destroy();
    },
  };
}
