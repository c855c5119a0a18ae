import assert from "node:assert/strict";
import { test } from "node:test";

import { AT_MOST_DAYS, DAY_MS, scheduleProblem, scheduledText, toLocalInput, toUtc } from "../../src/upload/when";

test("a local date-time is sent as the UTC moment it names, and shown back the same", () => {
  // Given a time as the datetime-local input holds it (the person's own zone)
  const local = "2030-06-02T18:30";
  // When it is turned into what the API is sent
  const utc = toUtc(local);
  // Then it is the same moment, in UTC, and reads back as the same local time
  assert.ok(utc?.endsWith("Z"));
  assert.equal(toLocalInput(new Date(utc!)), local);
  assert.equal(toUtc(""), null);
  assert.equal(toUtc("not a time"), null);
});

test("a time is refused when too soon or more than 90 days ahead, and empty means now", () => {
  const now = Date.parse("2030-01-01T12:00:00Z");
  const at = (ms: number): string => toLocalInput(new Date(now + ms));
  assert.equal(scheduleProblem("", now), null);
  assert.match(scheduleProblem(at(-60_000), now) ?? "", /at least a minute/);
  assert.match(scheduleProblem(at(30_000), now) ?? "", /at least a minute/);
  assert.equal(scheduleProblem(at(2 * 3600_000), now), null);
  assert.match(scheduleProblem(at((AT_MOST_DAYS + 1) * DAY_MS), now) ?? "", /within 90 days/);
});

test("a schedule reads as the person's own date and time", () => {
  assert.equal(scheduledText("2030-06-02T16:30:00Z", "en-GB", "Europe/Berlin"), "Scheduled for 2 Jun 2030, 18:30");
});
