import assert from "node:assert/strict";
import { test } from "node:test";

import type {
  AppealItem,
  CAPABILITIES,
  CaseComment,
  CaseDetail,
  CaseState,
  CaseSummary,
  HistoryEntry,
  LABELS,
  REPORT_REASONS,
  ReportItem,
  Standing,
  Taken,
} from "../../src/moderation/api";
import type { Schemas } from "../../src/schemas";
import type { TransparencyMonth } from "../../src/transparency/view";
import type { Same, Within } from "../same";

// Type-only: these checks are made by tsc, which fails the run when one does not hold.

test("the staff pages read the server's own schemas, so a change to either fails the build", () => {
  // Given the types the moderation, notices and transparency pages use
  // When they are compared with what /openapi.json states
  const checks: true[] = [
    true satisfies Same<CaseSummary, Schemas["CaseSummary"]>,
    true satisfies Same<CaseState, Schemas["QueueState"]>,
    true satisfies Same<CaseDetail, Schemas["CaseDetail"]>,
    true satisfies Same<CaseComment, Schemas["CaseComment"]>,
    true satisfies Same<ReportItem, Schemas["ReportPublic"]>,
    true satisfies Same<HistoryEntry, Schemas["HistoryEntry"]>,
    true satisfies Same<AppealItem, Schemas["AppealPublic"]>,
    true satisfies Same<Standing, Schemas["StandingPublic"]>,
    true satisfies Same<Taken, Schemas["ActionTaken"]>,
    true satisfies Same<TransparencyMonth, Schemas["TransparencyMonth"]>,
  ];
  // Then every one of them is the server's
  assert.equal(checks.length, 10);
});

test("the report reasons, labels and capabilities the pages offer are ones the server takes", () => {
  // Given the lists the pages offer, when each is held against the server's enumeration
  const checks: true[] = [
    true satisfies Same<(typeof REPORT_REASONS)[number], Schemas["ReportReason"]>,
    true satisfies Within<(typeof LABELS)[number], Schemas["Label"]>,
    true satisfies Same<(typeof CAPABILITIES)[number], Schemas["Capability"]>,
  ];
  // Then every report reason and capability is offered, and no label the server would refuse
  assert.equal(checks.length, 3);
});
