import assert from "node:assert/strict";
import { test } from "node:test";

import type { Profile } from "../../src/api";
import {
  bioProblem,
  countsOf,
  displayName,
  exportMessage,
  followButton,
  followersAfter,
  megabytes,
  pageTitle,
  sectionsOf,
  tileBadge,
  tileLabel,
  type DataExport,
} from "../../src/profile/display";

/** A profile as the server sends one (typed by its schema), with what a test changes. */
function profile(changes: Partial<Profile> = {}): Profile {
  return {
    user_id: "u1",
    handle: "mira",
    display_name: "Mira",
    erased: false,
    bio: null,
    avatar_url: null,
    followers: 10,
    following: 3,
    videos: 2,
    likes_received: 1200,
    followed_by_me: false,
    suspended: false,
    ...changes,
  };
}

test("a profile goes by its display name, else its handle; an erased one is a deleted account", () => {
  assert.equal(displayName(profile()), "Mira");
  assert.equal(displayName(profile({ display_name: null })), "mira");
  assert.equal(displayName(profile({ erased: true, handle: null, display_name: null })), "Deleted account");
  assert.equal(pageTitle(profile()), "Mira (@mira) · Strom");
  assert.equal(pageTitle(profile({ erased: true, handle: null })), "Deleted account · Strom");
});

test("the counts are following, followers and likes received, in that order", () => {
  assert.deepEqual(countsOf(profile()), [
    ["following", "Following", 3],
    ["followers", "Followers", 10],
    ["likes", "Likes", 1200],
  ]);
});

test("the follow button offers to follow, or to unfollow once following", () => {
  assert.deepEqual(followButton(false), { label: "Follow", className: "button", pressed: "false" });
  assert.deepEqual(followButton(true), { label: "Unfollow", className: "button secondary", pressed: "true" });
  assert.equal(followersAfter(10, true), 11);
  assert.equal(followersAfter(0, false), 0);
});

test("a suspended account shows its owner everything with a banner, moderators its videos, others a notice", () => {
  const suspended = profile({ suspended: true });
  assert.deepEqual(sectionsOf(profile(), false, false), { banner: false, suspendedNotice: false, videos: true });
  assert.deepEqual(sectionsOf(suspended, true, false), { banner: true, suspendedNotice: false, videos: true });
  assert.deepEqual(sectionsOf(suspended, false, true), { banner: false, suspendedNotice: true, videos: true });
  assert.deepEqual(sectionsOf(suspended, false, false), { banner: false, suspendedNotice: true, videos: false });
});

test("a bio up to 160 characters fits", () => {
  assert.equal(bioProblem("x".repeat(160)), null);
  assert.equal(bioProblem("x".repeat(161)), "A bio has at most 160 characters");
});

test("a tile is read out by its date, with its caption's start once known, and badged unless public", () => {
  const item = { video_id: "v1", published_at: "2025-03-04T12:00:00Z", visibility: "private", hashtags: [] };
  assert.equal(tileLabel(item, null, "en-US"), "Video from 3/4/2025");
  assert.equal(tileLabel(item, "x".repeat(100), "en-US"), `Video from 3/4/2025: ${"x".repeat(80)}`);
  assert.equal(tileBadge("private"), "Private");
  assert.equal(tileBadge("followers"), "Followers");
  assert.equal(tileBadge("public"), null);
});

/** A data export as the server sends one, with what a test changes. */
function dataExport(changes: Partial<DataExport>): DataExport {
  return {
    export_id: "e1",
    status: "pending",
    requested_at: "2025-03-10T12:00:00Z",
    ready_at: null,
    expires_at: null,
    size_bytes: null,
    sha256: null,
    reason: null,
    download_url: null,
    download_expires_at: null,
    ...changes,
  };
}

test("an export says where it stands: preparing, ready with its size, failed with why, or expired", () => {
  assert.equal(exportMessage(dataExport({})), "Preparing your data… This can take a few minutes.");
  assert.equal(exportMessage(dataExport({ status: "ready", download_url: "/x", size_bytes: 3 * 1024 * 1024 })), "Your data is ready (3.0 MB).");
  assert.equal(exportMessage(dataExport({ status: "failed", reason: "storage full" })), "Preparing your data failed: storage full.");
  assert.equal(exportMessage(dataExport({ status: "failed" })), "Preparing your data failed: try again.");
  assert.equal(exportMessage(dataExport({ status: "expired" })), "Your last copy of your data has expired.");
  // A ready one whose link is not there reads as gone
  assert.equal(exportMessage(dataExport({ status: "ready" })), "Your last copy of your data has expired.");
});

test("sizes under a megabyte are whole kilobytes (at least one), larger ones megabytes", () => {
  assert.equal(megabytes(10), "1 KB");
  assert.equal(megabytes(512 * 1024), "512 KB");
  assert.equal(megabytes(1024 * 1024), "1.0 MB");
  assert.equal(megabytes(2.25 * 1024 * 1024), "2.3 MB");
});
