/** A profile: who they are, their counts, follow / edit / sign out, and a grid of their videos. */

import "./profile.css";
import { ApiError, authHeaders, describe, follow, get, profileOf, request, signOut as endSession, videoDetails, type Page, type Profile } from "../api";
import { field, fieldErrorsOf, showErrors } from "../auth/fields";
import { validDisplayName } from "../auth/view";
import { formatCount, h } from "../dom";
import { navigate, type View } from "../router";
import { currentSession, isStaff } from "../session";
import { emptyState, errorState, requireSignIn, spinner, toast } from "../ui";
import { dataExportPanel } from "./export";

const BIO_MAX = 160;

interface VideoItem {
  video_id: string;
  published_at: string;
  visibility: string;
  hashtags: string[];
}

export function profileView(userId: string): View {
  const el = h("section", { class: "profile" });
  const controller = new AbortController();
  let observer: IntersectionObserver | null = null;
  const objectUrls: string[] = [];
  /** Posters of non-public videos are signed for the viewer and need their bearer: an <img> cannot send it. */
  const privatePosters = new Map<Element, () => void>();
  const posterObserver = "IntersectionObserver" in window
    ? new IntersectionObserver((entries) => {
        for (const entry of entries) {
          if (!entry.isIntersecting) continue;
          posterObserver?.unobserve(entry.target);
          privatePosters.get(entry.target)?.();
          privatePosters.delete(entry.target);
        }
      }, { rootMargin: "300px" })
    : null;
  let profile: Profile | null = null;

  const isMe = (): boolean => currentSession()?.userId === userId;

  async function load(minPosition?: number): Promise<void> {
    el.replaceChildren(spinner("Loading profile"));
    try {
      profile = minPosition
        ? await get<Profile>(`/v1/users/${userId}`, { min_position: minPosition }, controller.signal)
        : await profileOf(userId, true);
      if (controller.signal.aborted) return;
      render();
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

  function render(): void {
    if (!profile) return;
    const p = profile;
    const name = p.erased || !p.handle ? "Deleted account" : p.display_name || p.handle;
    document.title = p.handle ? `${name} (@${p.handle}) · Strom` : `${name} · Strom`;
    const header = h("header", { class: "profile-head" },
      avatar(p),
      h("h1", { class: "profile-name" }, name),
      h("p", { class: "profile-handle" }, p.handle ? `@${p.handle}` : ""),
    );
    const counts = h("dl", { class: "profile-counts" });
    const countEls: Record<string, HTMLElement> = {};
    for (const [key, label, value] of [
      ["following", "Following", p.following],
      ["followers", "Followers", p.followers],
      ["likes", "Likes", p.likes_received],
    ] as const) {
      const dd = h("dd", { "data-count": key }, formatCount(value));
      countEls[key] = dd;
      counts.append(h("div", { class: "profile-count" }, dd, h("dt", {}, label)));
    }
    const actions = h("div", { class: "profile-actions" });
    if (isMe()) {
      actions.append(
        h("button", { class: "button secondary", type: "button", onclick: () => openEditor(actions) }, "Edit profile"),
        h("button", { class: "button secondary", type: "button", onclick: signOut }, "Sign out"),
        personalisationSwitch(),
        dataExportPanel(controller.signal),
        h("nav", { class: "profile-links", "aria-label": "Your account" },
          h("a", { href: "/notices" }, "Notices"),
          isStaff() ? h("a", { href: "/moderation" }, "Moderation queue") : null,
          h("a", { href: "/transparency" }, "Transparency report"),
        ),
      );
    } else if (!p.erased) {
      actions.append(followButton(p, countEls.followers!));
    }
    const bio = p.bio ? h("p", { class: "profile-bio" }, p.bio) : null;
    if (!p.suspended) {
      el.replaceChildren(header, counts, actions, bio ?? "", videoGrid());
    } else if (isMe()) {
      // They still see their own profile as it was; the notice says why and how to appeal.
      const banner = h("p", { class: "profile-suspended-banner", role: "status" },
        "Your account is suspended: others do not see your profile or videos. ",
        h("a", { href: "/notices" }, "Read the notice"));
      el.replaceChildren(banner, header, counts, actions, bio ?? "", videoGrid());
    } else {
      // Moderators are still sent the videos, to review them; everyone else is sent none.
      const suspended = h("div", { class: "profile-suspended", role: "status" },
        h("h2", {}, "This account is suspended"),
        h("p", {}, "Its profile and videos are hidden while the suspension lasts."));
      el.replaceChildren(header, counts, actions, bio ?? "", suspended, isStaff() ? videoGrid() : "");
    }
  }

  /** Consent starts withdrawn: For You is the same for everyone until the holder turns this on. */
  function personalisationSwitch(): HTMLElement {
    const box = h("input", { type: "checkbox", id: "personalise", role: "switch", disabled: true });
    const hint = h("span", { class: "profile-consent-hint", id: "personalise-hint" },
      "For You learns from what you watch, like and skip.");
    box.setAttribute("aria-describedby", "personalise-hint");
    get<{ personalisation: boolean }>("/v1/me/consent").then(
      (consent) => {
        box.checked = consent.personalisation;
        box.disabled = false;
      },
      () => hint.replaceChildren("Could not read this setting."),
    );
    box.addEventListener("change", async () => {
      box.disabled = true;
      try {
        await request("PUT", "/v1/me/consent", { body: { personalisation: box.checked } });
        toast(box.checked ? "For You now learns from what you do" : "For You is no longer personalised");
      } catch (error) {
        box.checked = !box.checked;
        toast(describe(error));
      } finally {
        box.disabled = false;
      }
    });
    return h("div", { class: "profile-consent" },
      box, h("label", { for: "personalise" }, "Personalised For You"), hint);
  }

  function followButton(p: Profile, followersEl: HTMLElement): HTMLButtonElement {
    let following = p.followed_by_me === true;
    let busy = false;
    const button = h("button", { type: "button", class: "button" });
    const paint = (): void => {
      button.textContent = following ? "Unfollow" : "Follow";
      button.className = following ? "button secondary" : "button";
      button.setAttribute("aria-pressed", String(following));
      followersEl.textContent = formatCount(p.followers);
    };
    button.addEventListener("click", async () => {
      if (busy || !requireSignIn()) return;
      busy = true;
      const want = !following;
      following = want;
      p.followers = Math.max(0, p.followers + (want ? 1 : -1));
      paint();
      try {
        const now = await follow(p.user_id, want);
        if (now !== want) {
          following = now;
          p.followers = Math.max(0, p.followers + (now ? 1 : -1));
          paint();
        }
      } catch (error) {
        following = !want;
        p.followers = Math.max(0, p.followers + (want ? -1 : 1));
        paint();
        toast(describe(error));
      } finally {
        busy = false;
      }
    });
    paint();
    return button;
  }

  function openEditor(actions: HTMLElement): void {
    if (!profile) return;
    const p = profile;
    const opener = document.activeElement as HTMLElement | null;
    const fields = {
      display_name: field("Display name", h("input", { name: "display_name", maxlength: "50", autocomplete: "name", required: true })),
      bio: field("Bio", h("textarea", { name: "bio", rows: "3", maxlength: String(BIO_MAX) }), `At most ${BIO_MAX} characters`),
    };
    fields.display_name.control.value = p.display_name ?? "";
    fields.bio.control.value = p.bio ?? "";
    const problem = h("p", { class: "form-problem", role: "alert", hidden: true });
    const save = h("button", { class: "button", type: "submit" }, "Save");
    const close = (): void => {
      form.remove();
      actions.hidden = false;
      opener?.focus();
    };
    const form: HTMLFormElement = h("form", { class: "profile-editor", novalidate: true, "aria-label": "Edit profile" },
      fields.display_name.el,
      fields.bio.el,
      problem,
      h("div", { class: "profile-editor-actions" },
        save,
        h("button", { class: "button secondary", type: "button", onclick: close }, "Cancel"),
      ),
    );
    form.addEventListener("keydown", (event) => {
      if (event.key === "Escape") close();
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (save.disabled) return;
      problem.hidden = true;
      const displayName = fields.display_name.control.value.trim();
      const bioText = fields.bio.control.value.trim();
      const errors = {
        display_name: validDisplayName(displayName),
        bio: bioText.length > BIO_MAX ? `A bio has at most ${BIO_MAX} characters` : null,
      };
      if (showErrors(fields, errors)) return;
      save.disabled = true;
      save.textContent = "Saving…";
      try {
        const body: Record<string, string | null> = { display_name: displayName, bio: bioText };
        if (p.avatar_url) body.avatar_url = p.avatar_url; // the update replaces the whole profile
        const result = await request<{ position: number }>("PUT", "/v1/me/profile", { body });
        toast("Profile saved");
        void profileOf(userId, true).catch(() => undefined);
        await load(result.position);
      } catch (error) {
        save.disabled = false;
        save.textContent = "Save";
        const byField = fieldErrorsOf(error, ["display_name", "bio"]);
        if (Object.keys(byField).length) showErrors(fields, byField);
        else {
          problem.textContent = describe(error);
          problem.hidden = false;
        }
      }
    });
    actions.hidden = true;
    actions.after(form);
    fields.display_name.control.focus();
  }

  async function signOut(): Promise<void> {
    await endSession();
    toast("Signed out");
    navigate("/");
  }

  function videoGrid(): HTMLElement {
    const section = h("section", { class: "profile-videos", "aria-label": "Videos" });
    const grid = h("ul", { class: "video-grid", role: "list" });
    const more = h("div", { class: "grid-more" });
    section.append(grid, more);
    let cursor: string | null = null;
    let loading = false;
    let done = false;

    const loadPage = async (): Promise<void> => {
      if (loading || done) return;
      loading = true;
      more.replaceChildren(spinner("Loading videos"));
      try {
        const page: Page<VideoItem> = await get<Page<VideoItem>>(`/v1/users/${userId}/videos`, { limit: 18, cursor }, controller.signal);
        for (const item of page.items) grid.append(tile(item));
        cursor = page.next_cursor;
        done = cursor === null;
        more.replaceChildren();
        if (done && grid.childElementCount === 0) {
          more.replaceChildren(h("p", { class: "grid-empty", role: "status" }, "No videos yet"));
        } else if (!done) {
          more.append(h("button", { class: "button secondary", type: "button", onclick: () => void loadPage() }, "Load more videos"));
          // A short page (others' private videos are skipped) may not fill the screen: keep going.
          if (page.items.length === 0) queueMicrotask(() => void loadPage());
        }
      } catch (error) {
        if (controller.signal.aborted) return;
        more.replaceChildren(errorState(error, () => void loadPage()));
      } finally {
        loading = false;
      }
    };

    if ("IntersectionObserver" in window) {
      observer = new IntersectionObserver((entries) => {
        if (entries.some((e) => e.isIntersecting)) void loadPage();
      }, { rootMargin: "400px" });
      observer.observe(more);
    }
    void loadPage();
    return section;
  }

  function tile(item: VideoItem): HTMLElement {
    const img = h("img", { alt: "", loading: "lazy", decoding: "async" });
    const link = h("a", { class: "video-tile", href: `/v/${item.video_id}`, "aria-label": tileLabel(item) }, img);
    if (item.visibility !== "public") link.append(h("span", { class: "tile-badge", "aria-hidden": "true" }, item.visibility === "private" ? "Private" : "Followers"));
    videoDetails(item.video_id, controller.signal).then(
      (details) => {
        const poster = details.playback.poster;
        if (poster && details.playback.expires_at === null) img.src = poster;
        else if (poster) {
          const load = (): void => {
            fetch(poster, { headers: authHeaders(), signal: controller.signal })
              .then((r) => (r.ok ? r.blob() : Promise.reject(new Error(String(r.status)))))
              .then((blob) => {
                const url = URL.createObjectURL(blob);
                objectUrls.push(url);
                img.src = url;
              })
              .catch(() => undefined);
          };
          if (posterObserver) {
            privatePosters.set(link, load);
            posterObserver.observe(link);
          } else load();
        }
        if (details.caption) link.setAttribute("aria-label", `${tileLabel(item)}: ${details.caption.slice(0, 80)}`);
        link.append(h("span", { class: "tile-views", "aria-hidden": "true" }, `▶ ${formatCount(details.stats.views)}`));
      },
      () => undefined,
    );
    return h("li", {}, link);
  }

  void load();
  return {
    el,
    title: "Profile",
    destroy() {
      controller.abort();
      observer?.disconnect();
      posterObserver?.disconnect();
      for (const url of objectUrls) URL.revokeObjectURL(url);
    },
  };
}

function tileLabel(item: VideoItem): string {
  const date = new Date(item.published_at);
  return `Video from ${date.toLocaleDateString()}`;
}

function avatar(p: Profile): HTMLElement {
  if (p.avatar_url && !p.erased) return h("img", { class: "avatar avatar-lg", src: p.avatar_url, alt: "" });
  const initial = (p.display_name || p.handle || "?").trim().charAt(0).toUpperCase();
  return h("span", { class: "avatar avatar-lg avatar-initial", "aria-hidden": "true" }, initial);
}
