/**
 * A case (`/moderation/cases/<target>`): what was reported, every report with its note, everything
 * done about it, the appeal waiting for a decision, and the actions a moderator can take, each
 * asking why. After an action the page reads the case again at the action's position, so what it
 * shows includes what was just done.
 */

import "./moderation.css";
import { ApiError, authHeaders, describe, profileOf, videoDetails, type VideoDetails } from "../api";
import { h } from "../dom";
import { withHashtags } from "../hashtags";
import { type View } from "../router";
import { currentSession } from "../session";
import { emptyState, errorState, spinner, toast } from "../ui";
import { openAppealDecision, openCaseNote, openLabel, openRemove, openRestore, openRestrict, openStrike, openSuspend, type Scope } from "./actions";
import { act, caseDetail, words, type CaseDetail, type Taken } from "./api";
import { eventWords, person, when } from "./people";
import { capital, fact, notAllowed, targetName } from "./queue";

export function caseView(caseId: string): View {
  const el = h("section", { class: "mod" });
  const controller = new AbortController();
  const objectUrls: string[] = [];
  /** The reported video as the moderator may see it (a removed one too), read once per render. */
  let video: Promise<VideoDetails> | null = null;

  async function load(minPosition?: number): Promise<void> {
    if (!el.childElementCount) el.append(spinner("Loading case"));
    try {
      const detail = await caseDetail(caseId, minPosition, controller.signal);
      if (controller.signal.aborted) return;
      render(detail);
    } catch (error) {
      if (controller.signal.aborted) return;
      if (error instanceof ApiError && error.status === 403) el.replaceChildren(notAllowed());
      else if (error instanceof ApiError && (error.status === 404 || error.status === 422)) {
        el.replaceChildren(emptyState("No such case", "Nothing about this was reported, or the link is wrong.", { label: "Back to the queue", href: "/moderation" }));
      } else if (error instanceof ApiError && error.status === 401) {
        el.replaceChildren(emptyState("Sign in to moderate", "Cases are for moderators and admins.", { label: "Sign in", href: `/signin?next=${encodeURIComponent(location.pathname)}` }));
      } else el.replaceChildren(errorState(error, () => void load(minPosition)));
    }
  }

  /** After an action: say so, and read the case as it now stands. */
  const done = (message: string) => (taken: Taken): void => {
    toast(taken.recorded ? message : "Nothing changed");
    void load(taken.position);
  };

  function render(detail: CaseDetail): void {
    const c = detail.case;
    video = c.target_kind === "video" ? videoDetails(c.target_id, controller.signal) : null;
    const focusedLabel = document.activeElement instanceof HTMLElement && el.contains(document.activeElement)
      ? document.activeElement.textContent : null;
    el.replaceChildren(
      h("nav", { class: "mod-crumbs", "aria-label": "Breadcrumb" }, h("a", { href: "/moderation" }, "Moderation queue")),
      h("header", { class: "mod-head" },
        h("h1", { tabindex: "-1" }, `${targetName(c.target_kind)} case`),
        h("span", { class: `mod-badge state-${c.state}`, "data-case-state": c.state }, capital(c.state)),
      ),
      h("dl", { class: "mod-facts" },
        fact("Reports", String(c.reports), "reports"),
        fact("Priority", (c.priority / 100).toFixed(2), "priority"),
        h("div", {}, h("dt", {}, "Assignee"), h("dd", {}, person(c.assignee_id))),
        fact("Reasons", reasonCounts(detail) || "none", "reasons"),
      ),
      target(detail),
      actions(detail),
      appeal(detail),
      reports(detail),
      history(detail),
    );
    // An action re-renders the page: keep the keyboard where it was when that button is still here.
    if (focusedLabel) {
      const again = Array.from(el.querySelectorAll("button")).find((b) => !b.hidden && b.textContent === focusedLabel);
      (again ?? el.querySelector("h1"))?.focus({ preventScroll: true });
    }
  }

  function target(detail: CaseDetail): HTMLElement {
    const c = detail.case;
    const box = h("section", { class: "mod-target", "aria-labelledby": "mod-target-title" },
      h("h2", { id: "mod-target-title" }, "Reported"));
    if (c.target_kind === "video") {
      const body = h("div", { class: "mod-video" }, spinner("Loading video"));
      box.append(body);
      video?.then(
        (video) => body.replaceChildren(...videoTarget(video)),
        (error: unknown) => body.replaceChildren(h("p", { class: "mod-muted" }, `The video cannot be shown: ${describe(error)}`)),
      );
    } else if (c.target_kind === "comment") {
      const comment = detail.comment;
      if (!comment) box.append(h("p", { class: "mod-muted" }, "The comment is not known here yet."));
      else {
        const text = comment.erased ? "Erased by its author's account deletion" : comment.text ?? "Deleted by its author";
        box.append(
          h("blockquote", { class: `mod-comment${comment.text ? "" : " gone"}` }, ...withHashtags(text)),
          h("p", { class: "mod-muted" }, "By ", person(comment.author_id), " ", when(comment.posted_at), " on ",
            h("a", { href: `/v/${comment.video_id}` }, "this video"), comment.removed ? " · removed by a moderator" : "",
            comment.held ? " · held for review by screening: only its author sees it" : ""),
        );
      }
    } else {
      const name = h("p", { class: "mod-account" }, person(c.target_id));
      profileOf(c.target_id).then(
        (p) => name.append(p.display_name && !p.erased ? ` · ${p.display_name}` : "", p.bio ? h("span", { class: "mod-muted mod-bio" }, p.bio) : ""),
        () => undefined,
      );
      box.append(name);
    }
    if (c.subject_id) {
      box.append(h("p", {}, h("a", { href: `/moderation/users/${c.subject_id}` }, "Account standing of the person who posted it")));
    }
    return box;
  }

  function videoTarget(video: VideoDetails): Node[] {
    const img = h("img", { class: "mod-poster", alt: "Poster of the reported video" });
    const poster = video.playback.poster;
    if (poster && video.playback.expires_at === null) img.src = poster;
    else if (poster) {
      // A hidden or non-public video's poster is signed for the viewer and needs their bearer.
      fetch(poster, { headers: authHeaders(), signal: controller.signal })
        .then((r) => (r.ok ? r.blob() : Promise.reject(new Error(String(r.status)))))
        .then((blob) => {
          const url = URL.createObjectURL(blob);
          objectUrls.push(url);
          img.src = url;
        })
        .catch(() => undefined);
    }
    const state = video.state === "hidden" ? "Removed" : capital(video.state);
    return [
      poster ? img : h("div", { class: "mod-poster mod-muted" }, "No poster"),
      h("div", { class: "mod-video-text" },
        h("p", { class: "mod-caption" }, ...(video.caption_erased ? ["Caption erased"] : video.caption ? withHashtags(video.caption) : ["No caption"])),
        h("p", { class: "mod-muted" }, "By ", person(video.owner_id), ` · ${video.visibility} · `,
          h("span", { "data-video-state": video.state }, state)),
        h("a", { href: `/v/${video.video_id}` }, "Open the video"),
      ),
    ];
  }

  function actions(detail: CaseDetail): HTMLElement {
    const c = detail.case;
    const open = c.state === "open" || c.state === "escalated";
    const me = currentSession()?.userId ?? null;
    const scope: Scope = { caseId: open ? c.case_id : null, targetKind: c.target_kind, targetId: c.target_id, subjectId: c.subject_id, done: done("Done") };
    const button = (label: string, onclick: () => void, danger = false): HTMLButtonElement =>
      h("button", { class: danger ? "button" : "button secondary", type: "button", onclick }, label);
    const row = h("div", { class: "mod-actions" });
    if (open && me && c.assignee_id !== me) {
      row.append(button("Assign to me", () => void assignToMe(me)));
    }
    if (c.target_kind === "video") {
      row.append(button("Remove video", () => openRemove({ ...scope, done: done("Video removed") }), true));
      // Restoring is offered once the video is known to be removed.
      const restore = button("Restore video", () => openRestore({ ...scope, done: done("Video restored") }));
      restore.hidden = true;
      video?.then((v) => (restore.hidden = v.state !== "hidden"), () => undefined);
      row.append(restore);
      row.append(button("Label video", () => openLabel({ ...scope, done: done("Labels added") })));
    } else if (c.target_kind === "comment" && detail.comment?.held) {
      // Held, never posted: it can be released (posted as written) or left held; nothing to remove.
      row.append(button("Release comment", () => void release(c.target_id)));
    } else if (c.target_kind === "comment") {
      row.append(button("Remove comment", () => openRemove({ ...scope, done: done("Comment removed") }), true));
      if (detail.comment?.removed) {
        row.append(button("Restore comment", () => openRestore({ ...scope, done: done("Comment restored") })));
      }
    }
    if (c.subject_id) {
      row.append(
        button("Restrict account", () => openRestrict({ ...scope, done: done("Account restricted") })),
        button("Suspend account", () => openSuspend({ ...scope, done: done("Account suspended") })),
        button("Strike", () => openStrike({ ...scope, done: done("Strike recorded") })),
      );
    }
    if (c.state === "open") row.append(button("Escalate", () => openCaseNote(c.case_id, "escalate", done("Case escalated"))));
    if (open) row.append(button("Dismiss", () => openCaseNote(c.case_id, "dismiss", done("Case dismissed"))));
    const hint = open
      ? "An action on an open case resolves it."
      : "This case is closed: actions are taken on their own, and a new report opens it again.";
    return h("section", { class: "mod-section", "aria-labelledby": "mod-actions-title" },
      h("h2", { id: "mod-actions-title" }, "Actions"), h("p", { class: "mod-muted" }, hint), row);
  }

  async function release(commentId: string): Promise<void> {
    try {
      done("Comment released")(await act(`comments/${commentId}/release`, {}));
    } catch (error) {
      toast(describe(error));
    }
  }

  async function assignToMe(me: string): Promise<void> {
    try {
      done("Assigned to you")(await act(`cases/${caseId}/assign`, { assignee_id: me }));
    } catch (error) {
      toast(describe(error));
    }
  }

  function appeal(detail: CaseDetail): HTMLElement | string {
    const a = detail.appeal;
    if (!a) return "";
    const pending = a.status === "pending";
    return h("section", { class: "mod-section mod-appeal", "aria-labelledby": "mod-appeal-title" },
      h("h2", { id: "mod-appeal-title" }, pending ? "Appeal waiting for a decision" : `Appeal ${a.status}`),
      h("p", { class: "mod-muted" }, "Filed by ", person(a.user_id), " ", when(a.filed_at)),
      h("blockquote", { class: "mod-statement" }, a.statement ?? "The statement was erased"),
      pending
        ? h("div", { class: "mod-actions" },
            h("button", { class: "button", type: "button", onclick: () => openAppealDecision(a, true, done("Appeal granted")) }, "Grant appeal"),
            h("button", { class: "button secondary", type: "button", onclick: () => openAppealDecision(a, false, done("Appeal denied")) }, "Deny appeal"),
          )
        : h("p", {}, `Decided ${a.decided_at ? new Date(a.decided_at).toLocaleString() : ""}: ${a.decision ?? ""}`),
    );
  }

  function reports(detail: CaseDetail): HTMLElement {
    const list = h("ol", { class: "mod-list", role: "list" });
    for (const r of detail.reports) {
      list.append(h("li", { class: "mod-report" },
        h("p", {}, h("strong", {}, capital(words(r.reason))), " · ", r.reporter_id ? person(r.reporter_id) : h("span", { class: "mod-muted" }, "erased account"), " · ", when(r.reported_at),
          h("span", { class: "mod-muted" }, ` · weight ${r.weight.toFixed(2)}`)),
        r.note_erased ? h("p", { class: "mod-muted" }, "Note erased") : r.note ? h("blockquote", { class: "mod-note" }, r.note) : null,
      ));
    }
    if (!detail.reports.length) list.append(h("li", { class: "mod-muted" }, "No reports in this round"));
    return h("section", { class: "mod-section", "aria-labelledby": "mod-reports-title" },
      h("h2", { id: "mod-reports-title" }, `Reports (${detail.reports.length})`), list);
  }

  function history(detail: CaseDetail): HTMLElement {
    const list = h("ol", { class: "mod-list mod-history", role: "list" });
    for (const e of detail.history) {
      list.append(h("li", {},
        h("p", {}, h("strong", {}, eventWords(e.kind)), e.action ? ` (${words(e.action)})` : "", e.detail ? ` · ${e.detail}` : ""),
        h("p", { class: "mod-muted" }, "By ", person(e.actor_id), " ", when(e.at)),
        e.reason ? h("p", { class: "mod-reason" }, `Reason: ${e.reason}`) : null,
      ));
    }
    if (!detail.history.length) list.append(h("li", { class: "mod-muted" }, "Nothing done yet"));
    return h("section", { class: "mod-section", "aria-labelledby": "mod-history-title" },
      h("h2", { id: "mod-history-title" }, "History"), list);
  }

  void load();
  return {
    el,
    title: "Moderation case",
    destroy() {
      controller.abort();
      for (const url of objectUrls) URL.revokeObjectURL(url);
    },
  };
}

/** "spam ×2, violence": each reason with how many of the reports shown gave it. */
function reasonCounts(detail: CaseDetail): string {
  const counts = new Map<string, number>(detail.case.reasons.map((r) => [r, 0]));
  for (const r of detail.reports) counts.set(r.reason, (counts.get(r.reason) ?? 0) + 1);
  return Array.from(counts, ([reason, n]) => (n > 1 ? `${words(reason)} ×${n}` : words(reason))).join(", ");
}
