/**
 * Every moderation action as a dialog that asks why. On an open case an action resolves it
 * (`/cases/<id>/resolve`: the action, then the case closed, in one command); otherwise it is taken
 * on its own (`/videos/<id>/remove`, `/users/<id>/suspend` …). Each calls `done` with the API's
 * answer, whose position the page reads after.
 */

import { h } from "../dom";
import { CAPABILITIES, LABELS, act, capitalWords, type CaseSummary, type Taken } from "./api";
import { checkboxes, choice, openDialog } from "./dialog";

export interface Scope {
  /** The case resolved by the action; null to act outside a case (or on a closed one). */
  caseId: string | null;
  /** video, comment or user, as the case names its target. */
  targetKind: CaseSummary["target_kind"];
  targetId: string;
  /** Whose account restrictions, suspensions and strikes fall on. */
  subjectId: string | null;
  done: (taken: Taken) => void;
}

/** Restriction lengths offered, in hours: an hour to a year (the API allows up to five). */
const DURATIONS: readonly (readonly [string, string])[] = [
  ["24", "1 day"],
  ["72", "3 days"],
  ["168", "7 days"],
  ["720", "30 days"],
  ["2160", "90 days"],
  ["8760", "1 year"],
  ["1", "1 hour"],
];

async function resolveOr(scope: Scope, resolution: Record<string, unknown>, direct: () => Promise<Taken>): Promise<void> {
  const taken = scope.caseId
    ? await act(`cases/${scope.caseId}/resolve`, resolution)
    : await direct();
  scope.done(taken);
}

/** "Also record a strike", offered when an action resolves a case. */
function strikeBox(scope: Scope): { el: HTMLElement | null; on: () => boolean } {
  if (!scope.caseId) return { el: null, on: () => false };
  const box = h("input", { type: "checkbox", name: "strike", id: "mod-also-strike" });
  return {
    el: h("label", { class: "mod-check mod-also", for: "mod-also-strike" }, box, "Also record a strike"),
    on: () => box.checked,
  };
}

export function openRemove(scope: Scope): void {
  const what = scope.targetKind === "video" ? "video" : "comment";
  const strike = strikeBox(scope);
  openDialog({
    title: `Remove this ${what}`,
    intro: `It is hidden from everyone but its author and moderators until restored. Its author is told and may appeal.`,
    submit: `Remove ${what}`,
    danger: true,
    controls: strike.el ? [strike.el] : [],
    send: (reason) =>
      resolveOr(scope, { action: `remove_${what}`, reason, strike: strike.on() }, () =>
        act(`${what}s/${scope.targetId}/remove`, { reason })),
  });
}

export function openRestore(scope: Scope): void {
  const what = scope.targetKind === "video" ? "video" : "comment";
  openDialog({
    title: `Restore this ${what}`,
    intro: "It is shown again wherever it was before.",
    submit: `Restore ${what}`,
    send: async (reason) => scope.done(await act(`${what}s/${scope.targetId}/restore`, { reason })),
  });
}

export function openLabel(scope: Scope): void {
  const labels = checkboxes("Labels", "labels", LABELS, capitalWords);
  const strike = strikeBox(scope);
  openDialog({
    title: "Label this video",
    intro: "Labels ride on the video everywhere it is shown, for viewers' apps to honour.",
    submit: "Label video",
    controls: [labels.el, ...(strike.el ? [strike.el] : [])],
    fields: { labels: labels.field },
    check: () => ({ labels: labels.chosen().length ? null : "Choose at least one label" }),
    send: (reason) =>
      resolveOr(scope, { action: "label_video", labels: labels.chosen(), reason, strike: strike.on() }, () =>
        act(`videos/${scope.targetId}/labels`, { labels: labels.chosen(), reason })),
  });
}

export function openRestrict(scope: Scope): void {
  const capability = choice("Take away", "capability", CAPABILITIES.map((c) => [c, capitalWords(c)] as const));
  const duration = choice("For", "duration_hours", DURATIONS);
  const strike = strikeBox(scope);
  const body = (reason: string): Record<string, unknown> => ({
    capability: capability.control.value,
    duration_hours: Number(duration.control.value),
    reason,
  });
  openDialog({
    title: "Restrict this account",
    intro: "The account keeps everything else. A new restriction of the same kind replaces the old.",
    submit: "Restrict account",
    danger: true,
    controls: [capability.el, duration.el, ...(strike.el ? [strike.el] : [])],
    send: (reason) =>
      resolveOr(scope, { action: "restrict", ...body(reason), strike: strike.on() }, () =>
        act(`users/${scope.subjectId}/restrictions`, body(reason))),
  });
}

export function openSuspend(scope: Scope): void {
  const duration = choice("For", "duration_hours", [["", "Until lifted"], ...DURATIONS]);
  const hours = (): number | null => (duration.control.value ? Number(duration.control.value) : null);
  const strike = strikeBox(scope);
  openDialog({
    title: "Suspend this account",
    intro: "They may still sign in, read their notices and appeal; everything else is refused, and what they posted is hidden.",
    submit: "Suspend account",
    danger: true,
    controls: [duration.el, ...(strike.el ? [strike.el] : [])],
    send: (reason) =>
      resolveOr(scope, { action: "suspend", duration_hours: hours(), reason, strike: strike.on() }, () =>
        act(`users/${scope.subjectId}/suspend`, { duration_hours: hours(), reason })),
  });
}

export function openStrike(scope: Scope): void {
  openDialog({
    title: "Record a strike",
    intro: "Strikes add up: at the thresholds the account is suspended.",
    submit: "Record strike",
    danger: true,
    send: (reason) =>
      resolveOr(scope, { action: "strike", reason }, () => act(`users/${scope.subjectId}/strikes`, { reason })),
  });
}

/** Escalate or dismiss a case: a reason, kept in its history. */
export function openCaseNote(caseId: string, verb: "escalate" | "dismiss", done: (taken: Taken) => void): void {
  const escalate = verb === "escalate";
  openDialog({
    title: escalate ? "Escalate this case" : "Dismiss this case",
    intro: escalate
      ? "An admin takes it from here."
      : "Nothing wrong found. Reports from people whose reports are mostly dismissed count for less.",
    submit: escalate ? "Escalate" : "Dismiss case",
    send: async (reason) => done(await act(`cases/${caseId}/${verb}`, { reason })),
  });
}

export function openAppealDecision(
  appeal: { user_id: string; action_id: string },
  granted: boolean,
  done: (taken: Taken) => void,
): void {
  openDialog({
    title: granted ? "Grant the appeal" : "Deny the appeal",
    intro: granted ? "The action is undone, and the person told." : "The action stands, and the person told.",
    submit: granted ? "Grant appeal" : "Deny appeal",
    send: async (reason) =>
      done(await act(`users/${appeal.user_id}/appeals/${appeal.action_id}/decide`, { granted, reason })),
  });
}

/** Undoing what fell on an account: lifting a restriction or suspension, removing a strike. */
export function openUndo(
  userId: string,
  what: { kind: "lift"; capability: string } | { kind: "unsuspend" } | { kind: "strike"; actionId: string },
  done: (taken: Taken) => void,
): void {
  const [title, submit, path] =
    what.kind === "lift"
      ? [`Lift the ${what.capability} restriction`, "Lift restriction", `users/${userId}/restrictions/${what.capability}/lift`]
      : what.kind === "unsuspend"
        ? ["Lift the suspension", "Lift suspension", `users/${userId}/unsuspend`]
        : ["Remove this strike", "Remove strike", `users/${userId}/strikes/${what.actionId}/remove`];
  openDialog({ title, submit, send: async (reason) => done(await act(path, { reason })) });
}
