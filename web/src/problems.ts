/**
 * RFC 9457 problems as the client holds them: an `ApiError` views can show as it is, its field errors
 * by field, and a reached daily limit in words. The shapes are the server's own (`Problem` and
 * `FieldProblem` in the generated types): a member renamed on the server fails the client's build.
 * Pure: the client's unit tests run it without a browser.
 */

import type { Schemas } from "./schemas";

/** One field error of a 422: where, as a path such as `["body", "handle"]`, and what is wrong there. */
export type FieldProblem = Schemas["FieldProblem"];

type ProblemDocument = Schemas["Problem"];

/** The members of a 429 that name the daily limit reached (commands/friction): which, how many, for
 * whom, and when it lifts (ISO 8601, UTC midnight). */
export type DailyLimit = {
  [K in "limit" | "allowed" | "count" | "tier" | "strikes" | "lifts_at"]: NonNullable<ProblemDocument[K]>;
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | null = null,
    /** Field errors of a 422, as the API lists them. */
    readonly errors: FieldProblem[] = [],
    /** Set when a daily limit refused the command. */
    readonly dailyLimit: DailyLimit | null = null,
  ) {
    super(detail ?? title);
  }

  /** No answer at all: the network is down or the server unreachable. */
  get offline(): boolean {
    return this.status === 0;
  }
}

/** The `ApiError` a problem document stands for; also for answers read outside `request` (uploads).
 * The body is checked as it is read: a proxy's error page is no problem document. */
export function errorOf(status: number, statusText: string, body: unknown): ApiError {
  // Members a problem does not have are left out, not null: every one may be missing.
  const problem: Partial<Record<keyof ProblemDocument, unknown>> = typeof body === "object" && body !== null ? body : {};
  const text = (value: unknown): string | null => (typeof value === "string" ? value : null);
  const errors = Array.isArray(problem.errors) ? problem.errors.flatMap(fieldProblemOf) : [];
  const title = text(problem.title) ?? (statusText || `HTTP ${status}`);
  return new ApiError(status, title, text(problem.detail), errors, status === 429 ? dailyLimitOf(problem) : null);
}

function fieldProblemOf(value: unknown): FieldProblem[] {
  if (typeof value !== "object" || value === null) return [];
  const e: Partial<Record<keyof FieldProblem, unknown>> = value;
  const location = Array.isArray(e.location) ? e.location.filter((p) => typeof p === "string" || typeof p === "number") : [];
  return typeof e.message === "string" ? [{ location, message: e.message, type: typeof e.type === "string" ? e.type : "" }] : [];
}

function dailyLimitOf(problem: Partial<Record<keyof ProblemDocument, unknown>>): DailyLimit | null {
  const { limit, allowed, count, tier, strikes, lifts_at } = problem;
  if (typeof limit !== "string" || typeof allowed !== "number" || typeof lifts_at !== "string") return null;
  return {
    limit,
    allowed,
    count: typeof count === "number" ? count : allowed,
    tier: typeof tier === "string" ? tier : "established",
    strikes: typeof strikes === "number" ? strikes : 0,
    lifts_at,
  };
}

/**
 * The field errors of a problem, each named by its field (the last part of its location, as the
 * request body names it) with its message. Every form reads field errors through this.
 */
export function fieldProblems(error: unknown): { field: string; message: string }[] {
  if (!(error instanceof ApiError)) return [];
  return error.errors.flatMap((e) =>
    e.message ? [{ field: String(e.location[e.location.length - 1] ?? ""), message: e.message }] : [],
  );
}

/** What each counted action is, in a sentence: "You can post 30 comments a day". */
const LIMITED: Record<string, [verb: string, one: string, many: string]> = {
  upload: ["upload", "video", "videos"],
  comment: ["post", "comment", "comments"],
  follow: ["follow", "account", "accounts"],
  report: ["send", "report", "reports"],
};

/** A daily limit in words, built from the problem's fields: "You can post 30 comments a day while
 * your account is new; more tomorrow at 00:00 UTC". */
export function describeLimit(limit: DailyLimit, now: Date = new Date()): string {
  const capability = limit.limit.replace(/_per_day$/, "");
  const [verb, one, many] = LIMITED[capability] ?? ["do", "action", "actions"];
  const why: string[] = [];
  if (limit.tier === "new_account") why.push("your account is new");
  if (limit.strikes > 0) why.push(`${limit.strikes === 1 ? "a strike is" : `${limit.strikes} strikes are`} in force`);
  const reason = why.length ? ` while ${why.join(" and ")}` : "";
  return `You can ${verb} ${limit.allowed} ${limit.allowed === 1 ? one : many} a day${reason}; more ${whenUtc(limit.lifts_at, now)}`;
}

/** "tomorrow at 00:00 UTC" (limits lift at midnight UTC), or the day when it is further off. */
function whenUtc(iso: string, now: Date): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return "later";
  const time = `${String(at.getUTCHours()).padStart(2, "0")}:${String(at.getUTCMinutes()).padStart(2, "0")} UTC`;
  const day = (d: Date): number => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const days = Math.round((day(at) - day(now)) / 86_400_000);
  if (days <= 0) return `today at ${time}`;
  if (days === 1) return `tomorrow at ${time}`;
  return `on ${at.toISOString().slice(0, 10)} at ${time}`;
}

/** A message a person can act on, for any error a view catches. */
export function describe(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.dailyLimit) return describeLimit(error.dailyLimit);
    const fields = fieldProblems(error).map((e) => e.message);
    if (fields.length) return fields.join("; ");
    return error.detail ?? error.title;
  }
  return "Something went wrong";
}
