import assert from "node:assert/strict";
import { test } from "node:test";

import { ApiError, describe, describeLimit, errorOf, fieldProblems } from "../src/problems";
import type { Schemas } from "../src/schemas";

/** A 422 as api/problems.py answers one: typed by the server's own schema, so a renamed member fails here. */
const invalid: Schemas["Problem"] = {
  type: "https://strom.dev/problems/422",
  title: "Invalid request",
  status: 422,
  detail: "the request does not match its schema",
  instance: "/v1/accounts",
  errors: [
    { location: ["body", "handle"], message: "String should have at least 3 characters", type: "string_too_short" },
    { location: ["body", "email"], message: "value is not a valid email address", type: "value_error" },
  ],
  limit: null,
  allowed: null,
  count: null,
  tier: null,
  strikes: null,
  lifts_at: null,
  restriction: null,
  until: null,
};

test("a 422's field errors reach the fields they name, by the last part of their location", () => {
  // Given the problem document the server sends for an invalid body
  // When the client reads it
  const error = errorOf(422, "Unprocessable Entity", invalid);
  // Then each field error is named by its field, with its message
  assert.deepEqual(fieldProblems(error), [
    { field: "handle", message: "String should have at least 3 characters" },
    { field: "email", message: "value is not a valid email address" },
  ]);
  // And the messages are what the person is told
  assert.equal(describe(error), "String should have at least 3 characters; value is not a valid email address");
});

test("field errors in any other shape are not taken for the server's", () => {
  // Given a body naming its errors as pydantic does inside the server (loc / msg)
  const body = { title: "Invalid request", errors: [{ loc: ["body", "handle"], msg: "too short" }] };
  // When the client reads it
  const error = errorOf(422, "", body);
  // Then no field error is made up from it, and the title stands
  assert.deepEqual(fieldProblems(error), []);
  assert.equal(describe(error), "Invalid request");
});

test("a body that is no problem document still makes an error, titled by the status", () => {
  assert.equal(errorOf(502, "Bad Gateway", "<html>").title, "Bad Gateway");
  assert.equal(errorOf(502, "", null).title, "HTTP 502");
  assert.equal(new ApiError(0, "You are offline").offline, true);
});

test("a 429 names the daily limit reached, and says it in words with when it lifts", () => {
  // Given a comment limit reached by a new account with one strike, lifting at midnight UTC
  const body = {
    title: "Too many requests",
    detail: "a new account may comment 15 times a day: you reached it today",
    limit: "comment_per_day",
    allowed: 15,
    count: 15,
    tier: "new_account",
    strikes: 1,
    lifts_at: "2025-03-11T00:00:00Z",
  };
  // When the client reads it
  const error = errorOf(429, "", body);
  // Then the limit is kept, and described from its fields
  assert.deepEqual(error.dailyLimit, { limit: "comment_per_day", allowed: 15, count: 15, tier: "new_account", strikes: 1, lifts_at: "2025-03-11T00:00:00Z" });
  assert.equal(
    describeLimit(error.dailyLimit!, new Date("2025-03-10T18:00:00Z")),
    "You can post 15 comments a day while your account is new and a strike is in force; more tomorrow at 00:00 UTC",
  );
});

test("a limit lifting today or days away says so, and one of one says it singular", () => {
  const limit = { limit: "upload_per_day", allowed: 1, count: 1, tier: "established", strikes: 0, lifts_at: "2025-03-13T00:00:00Z" };
  assert.equal(describeLimit(limit, new Date("2025-03-10T08:00:00Z")), "You can upload 1 video a day; more on 2025-03-13 at 00:00 UTC");
  assert.equal(describeLimit({ ...limit, lifts_at: "2025-03-10T23:00:00Z" }, new Date("2025-03-10T08:00:00Z")), "You can upload 1 video a day; more today at 23:00 UTC");
});

test("a 429 without the limit's fields (a rate limit) has no daily limit", () => {
  assert.equal(errorOf(429, "", { title: "Too many requests", detail: "slow down" }).dailyLimit, null);
});
