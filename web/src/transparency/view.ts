/**
 * The transparency report (`/transparency`), public: what moderation did in one calendar month,
 * in counts only (reports by reason, actions by kind, automatic against manual, appeal outcomes,
 * and the median time from a first report to the action that settled it, with the bounds the read
 * model guarantees). One month at a time, chosen from the latest; every figure is in a table with a
 * caption and headers, so a screen reader reads it cell by cell.
 */

import "../moderation/moderation.css";
import "./transparency.css";
import { get } from "../api";
import { h } from "../dom";
import { capitalWords, REPORT_REASONS } from "../moderation/api";
import { type View } from "../router";
import type { Schemas } from "../schemas";
import { emptyState, errorState, spinner } from "../ui";

/** The report's figures, as the server's schemas have them (../schemas.ts). */
type Median = Schemas["MedianPublic"];
export type TransparencyMonth = Schemas["TransparencyMonth"];

/** What screening does on its own; a label may be screening's or a moderator's; the rest are theirs. */
const AUTOMATIC_KINDS = new Set(["hold_video", "block_video", "hold_comment"]);
const EITHER_KINDS = new Set(["label_video"]);

function takenBy(kind: string): string {
  if (AUTOMATIC_KINDS.has(kind)) return "Screening";
  return EITHER_KINDS.has(kind) ? "Screening or moderators" : "Moderators";
}
const MONTHS = 12;

export function transparencyView(): View {
  const controller = new AbortController();
  const heading = h("h1", { id: "transparency-title", tabindex: "-1" }, "Transparency report");
  const body = h("div", { class: "transparency-body" }, spinner("Loading the report"));
  const el = h("section", { class: "mod transparency", "aria-labelledby": "transparency-title" },
    h("header", { class: "mod-head" }, heading),
    h("p", { class: "mod-muted" },
      "What moderation did here, month by month (UTC). Counts only: never who reported, who was acted on, or what."),
    body,
  );

  async function load(): Promise<void> {
    body.replaceChildren(spinner("Loading the report"));
    try {
      const report = await get<Schemas["TransparencyReport"]>("/v1/transparency", { months: MONTHS }, controller.signal);
      show(report.items);
    } catch (error) {
      if (controller.signal.aborted) return;
      body.replaceChildren(errorState(error, () => void load()));
    }
  }

  function show(months: TransparencyMonth[]): void {
    if (months.length === 0) {
      body.replaceChildren(emptyState("Nothing to report yet", "No reports have been filed and no action taken."));
      return;
    }
    const picker = h("select", { id: "transparency-month", name: "month" },
      ...months.map((m) => h("option", { value: m.month }, monthName(m.month))));
    const shown = h("div", { class: "transparency-month", "aria-live": "polite" });
    const paint = (): void => {
      const month = months.find((m) => m.month === picker.value) ?? months[0]!;
      shown.replaceChildren(monthReport(month));
    };
    picker.addEventListener("change", paint);
    body.replaceChildren(
      h("div", { class: "field transparency-picker" }, h("label", { for: "transparency-month" }, "Month"), picker),
      shown,
    );
    paint();
  }

  void load();
  return { el, title: "Transparency report", destroy: () => controller.abort() };
}

/** One month's figures: a heading, the totals at a glance, then one table per question. */
export function monthReport(m: TransparencyMonth): HTMLElement {
  const reports = total(m.reports);
  const actions = total(m.actions);
  return h("section", { class: "transparency-report", "data-month": m.month, "aria-label": monthName(m.month) },
    h("h2", {}, monthName(m.month)),
    h("dl", { class: "mod-facts" },
      fact("Reports", reports, "reports"),
      fact("Actions", actions, "actions"),
      fact("Appeals", m.appeals["filed"] ?? 0, "appeals"),
    ),
    table("Reports by reason", ["Reason", "Reports"], ordered(m.reports, REPORT_REASONS).map(([k, n]) => [label(k), n]), "reports"),
    table("Who filed the reports", ["Filed by", "Reports"], [
      ["Automatic screening", m.reports_by["automatic"] ?? 0],
      ["People", m.reports_by["manual"] ?? 0],
    ], "reports-by"),
    table("Actions by kind", ["Action", "Taken by", "Count"],
      Object.entries(m.actions).sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => [label(k), takenBy(k), n]),
      "actions", "No actions taken"),
    table("Automatic and manual actions", ["Taken by", "Actions"], [
      ["Automatic screening", m.actions_by["automatic"] ?? 0],
      ["Moderators", m.actions_by["manual"] ?? 0],
    ], "actions-by"),
    table("Appeal outcomes", ["Outcome", "Appeals"], [
      ["Filed", m.appeals["filed"] ?? 0],
      ["Granted", m.appeals["granted"] ?? 0],
      ["Denied", m.appeals["denied"] ?? 0],
    ], "appeals"),
    medianTable(m.median_time_to_action),
  );
}

function medianTable(median: Median | null): HTMLElement {
  const caption = "Median time from first report to action";
  if (median === null) return table(caption, ["Measure", "Value"], [], "median", "No case was settled this month");
  return table(caption, ["Measure", "Value"], [
    ["Median", `about ${duration(median.seconds)}`],
    ["Not less than", duration(median.low_seconds)],
    ["Less than", duration(median.high_seconds)],
    ["Cases settled", median.of],
  ], "median");
}

type Cell = string | number;

/** A table with a caption, column headers, and each row's first cell as its row header; the last
 * column (the figures) is aligned right. */
function table(caption: string, columns: string[], rows: Cell[][], name: string, empty = "None"): HTMLElement {
  const last = columns.length - 1;
  const head = h("tr", {}, ...columns.map((c, i) => h("th", { scope: "col", class: i === last ? "num" : null }, c)));
  const cells = (rest: Cell[]): HTMLElement[] =>
    rest.map((cell, i) => h("td", { class: i + 1 === last ? "num" : null }, String(cell)));
  const body = rows.length
    ? rows.map(([first, ...rest]) => h("tr", {}, h("th", { scope: "row" }, String(first)), ...cells(rest)))
    : [h("tr", {}, h("td", { colspan: columns.length, class: "mod-muted" }, empty))];
  return h("div", { class: "transparency-table" },
    h("table", { "data-table": name },
      h("caption", {}, caption),
      h("thead", {}, head),
      h("tbody", {}, ...body),
    ),
  );
}

function fact(name: string, value: number, key: string): HTMLElement {
  return h("div", {}, h("dt", {}, name), h("dd", { "data-total": key }, String(value)));
}

/** The known keys first, in their order and with zeros, then any other the report holds. */
function ordered(counts: Record<string, number>, known: readonly string[]): [string, number][] {
  const extra = Object.keys(counts).filter((k) => !known.includes(k)).sort();
  return [...known, ...extra].map((k) => [k, counts[k] ?? 0]);
}

function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

/** A reason or an action as people read it: "Self harm", "Remove video". */
const label = capitalWords;

/** "2025-03" as "March 2025", read in UTC like the report. */
export function monthName(month: string): string {
  const [year, number] = month.split("-").map(Number);
  const date = new Date(Date.UTC(year!, number! - 1, 1));
  return date.toLocaleDateString(undefined, { month: "long", year: "numeric", timeZone: "UTC" });
}

/** A duration as people read it: seconds, minutes, hours or days, to two figures. */
export function duration(seconds: number): string {
  const units: [number, string][] = [[86_400, "day"], [3_600, "hour"], [60, "minute"], [1, "second"]];
  for (const [size, unit] of units) {
    if (seconds >= size || size === 1) {
      const value = seconds / size;
      const shown = value >= 10 ? Math.round(value) : Math.round(value * 10) / 10;
      return `${shown} ${unit}${shown === 1 ? "" : "s"}`;
    }
  }
  return `${seconds} seconds`;
}
