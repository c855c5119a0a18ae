/**
 * The moderation routes as the staff pages use them (moderators and admins; anyone else gets 403),
 * and the rules they share with the API, so most mistakes are caught before a round trip. What the
 * routes take and answer is typed by the server's own schemas (../schemas.ts), never by hand, so a
 * change on either side fails the build.
 */

import { get, request } from "../api";
import type { Schemas } from "../schemas";

/** Why an action was taken: MAX_REASON on the server, trimmed. */
export const REASON_MAX = 500;
/** An appeal's statement: MAX_STATEMENT on the server, trimmed. */
export const STATEMENT_MAX = 2000;
/** The longest restriction or suspension: five years, in hours. */
export const MAX_HOURS = 365 * 5 * 24;

export type CaseState = Schemas["QueueState"];
export const CASE_STATES: CaseState[] = ["open", "escalated", "resolved", "dismissed"];
export const REPORT_REASONS = [
  "spam", "nudity", "violence", "harassment", "hate", "misinformation", "self_harm", "copyright", "other",
] as const satisfies readonly Schemas["ReportReason"][];
/** Queue filters beyond the report reasons: every case, or those whose action is appealed. */
export const QUEUE_REASONS = ["any", "appeal", ...REPORT_REASONS] as const;
/** The labels a moderator may put on a video (the server also knows screening's own). */
export const LABELS = ["sensitive", "graphic", "ai_generated", "ad"] as const satisfies readonly Schemas["Label"][];
export const CAPABILITIES = ["upload", "comment", "like", "follow", "report"] as const satisfies readonly Schemas["Capability"][];

export type CaseSummary = Schemas["CaseSummary"];
export type ReportItem = Schemas["ReportPublic"];
export type HistoryEntry = Schemas["HistoryEntry"];
export type AppealItem = Schemas["AppealPublic"];
/** A reported comment; `held` by screening: only its author sees it until a moderator releases it. */
export type CaseComment = Schemas["CaseComment"];
export type CaseDetail = Schemas["CaseDetail"];
export type Standing = Schemas["StandingPublic"];
/** What every moderation command answers. */
export type Taken = Schemas["ActionTaken"];

export const queue = (
  query: { state: string; reason: string; cursor?: string | null; limit?: number },
  signal?: AbortSignal,
): Promise<Schemas["QueuePage"]> => get("/v1/moderation/queue", { limit: 20, ...query }, signal);

export const caseDetail = (caseId: string, minPosition?: number, signal?: AbortSignal): Promise<CaseDetail> =>
  get(`/v1/moderation/cases/${caseId}`, { min_position: minPosition }, signal);

export const standing = (userId: string, minPosition?: number, signal?: AbortSignal): Promise<Standing> =>
  get(`/v1/moderation/users/${userId}`, { min_position: minPosition }, signal);

/** Any moderation command: a POST under /v1/moderation with its body. */
export const act = (path: string, body: Record<string, unknown>): Promise<Taken> =>
  request<Taken>("POST", `/v1/moderation/${path}`, { body });

/** What a person reads of a reason, a label or an action: "self harm", "ai generated". */
export function words(value: string): string {
  return value.replace(/_/g, " ");
}

/** The trimmed reason, or what is wrong with it, as the API's check says it. */
export function reasonProblem(value: string, what = "a reason", max = REASON_MAX): string | null {
  const text = value.trim();
  if (!text) return `Give ${what}`;
  if (text.length > max) return `At most ${max} characters`;
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b\u202a-\u202e\u2066-\u2069]/.test(text)) {
    return "Remove the control characters";
  }
  return null;
}

/** The same, capitalised, for a label on its own: "Ai generated", "Self harm". */
export function capitalWords(value: string): string {
  const text = words(value);
  return text ? text[0]!.toUpperCase() + text.slice(1) : text;
}
