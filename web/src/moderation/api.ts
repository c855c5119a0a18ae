/**
 * The moderation routes as the staff pages use them (moderators and admins; anyone else gets 403),
 * and the rules they share with the API, so most mistakes are caught before a round trip.
 */

import { get, request, type Page } from "../api";

/** Why an action was taken: MAX_REASON on the server, trimmed. */
export const REASON_MAX = 500;
/** An appeal's statement: MAX_STATEMENT on the server, trimmed. */
export const STATEMENT_MAX = 2000;
/** The longest restriction or suspension: five years, in hours. */
export const MAX_HOURS = 365 * 5 * 24;

export type CaseState = "open" | "escalated" | "resolved" | "dismissed";
export const CASE_STATES: CaseState[] = ["open", "escalated", "resolved", "dismissed"];
export const REPORT_REASONS = [
  "spam", "nudity", "violence", "harassment", "hate", "misinformation", "self_harm", "copyright", "other",
] as const;
/** Queue filters beyond the report reasons: every case, or those whose action is appealed. */
export const QUEUE_REASONS = ["any", "appeal", ...REPORT_REASONS] as const;
export const LABELS = ["sensitive", "graphic", "ai_generated", "ad"] as const;
export const CAPABILITIES = ["upload", "comment", "like", "follow", "report"] as const;

export interface CaseSummary {
  case_id: string;
  target_kind: "video" | "comment" | "user";
  target_id: string;
  subject_id: string | null;
  state: CaseState;
  priority: number;
  reasons: string[];
  reports: number;
  first_reported_at: string | null;
  last_reported_at: string | null;
  assignee_id: string | null;
  appeal: { user_id: string; action_id: string } | null;
}

export interface ReportItem {
  report_id: string;
  reporter_id: string;
  reason: string;
  note: string | null;
  note_erased: boolean;
  weight: number;
  reported_at: string;
}

export interface HistoryEntry {
  position: number;
  at: string;
  kind: string;
  actor_id: string | null;
  action: string | null;
  action_id: string | null;
  reason: string | null;
  detail: string | null;
}

export interface AppealItem {
  user_id: string;
  action_id: string;
  appeal_id: string;
  statement: string | null;
  status: "pending" | "granted" | "denied";
  filed_at: string;
  decided_at: string | null;
  decided_by: string | null;
  decision: string | null;
}

export interface CaseComment {
  comment_id: string;
  video_id: string;
  author_id: string | null;
  text: string | null;
  erased: boolean;
  deleted: boolean;
  removed: boolean;
  /** Held by screening: only its author sees it until a moderator releases it. */
  held?: boolean;
  posted_at: string;
}

export interface CaseDetail {
  case: CaseSummary;
  last_action: string | null;
  last_action_id: string | null;
  comment?: CaseComment | null;
  reports: ReportItem[];
  history: HistoryEntry[];
  appeal: AppealItem | null;
}

export interface Standing {
  user_id: string;
  suspended: boolean;
  suspended_until: string | null;
  restrictions: { capability: string; until: string; action_id: string }[];
  strikes: number;
  strike_list?: { action_id: string; expires_at: string }[];
}

/** What every moderation command answers. */
export interface Taken {
  action_id: string | null;
  recorded: boolean;
  position: number;
}

export const queue = (
  query: { state: string; reason: string; cursor?: string | null; limit?: number },
  signal?: AbortSignal,
): Promise<Page<CaseSummary>> => get("/v1/moderation/queue", { limit: 20, ...query }, signal);

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
