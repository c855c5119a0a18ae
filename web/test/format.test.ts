import assert from "node:assert/strict";
import { test } from "node:test";

import { formatCount, initialOf, timeAgo } from "../src/format";

test("counts under a thousand are shown whole, larger ones compact with at most one decimal", () => {
  assert.equal(formatCount(0), "0");
  assert.equal(formatCount(999), "999");
  assert.equal(formatCount(1000), "1K");
  assert.equal(formatCount(1234), "1.2K");
  assert.equal(formatCount(123_456), "123K");
  assert.equal(formatCount(999_999), "1000K");
  assert.equal(formatCount(1_500_000), "1.5M");
});

test("relative times step from just now through minutes, hours, days and weeks", () => {
  // Given a fixed now
  const now = Date.parse("2025-03-10T12:00:00Z");
  const ago = (seconds: number): string => timeAgo(new Date(now - seconds * 1000).toISOString(), now);
  // Then each step shows in its own unit, rounded down
  assert.equal(ago(0), "just now");
  assert.equal(ago(59), "just now");
  assert.equal(ago(60), "1 min ago");
  assert.equal(ago(59 * 60), "59 min ago");
  assert.equal(ago(3600), "1 h ago");
  assert.equal(ago(25 * 3600), "1 d ago");
  assert.equal(ago(8 * 86_400), "1 w ago");
  // And a time in the future (clocks disagree) reads as now
  assert.equal(ago(-30), "just now");
});

test("an avatar's initial is the first name given that has a letter, upper-cased", () => {
  assert.equal(initialOf("mira", "m1"), "M");
  assert.equal(initialOf(null, "ben"), "B");
  assert.equal(initialOf("", null), "?");
  assert.equal(initialOf(undefined), "?");
});
