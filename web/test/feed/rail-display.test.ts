import assert from "node:assert/strict";
import { test } from "node:test";

import { confirmLike, followLabel, followedNote, offersFollow, shareUrl, shownLikes } from "../../src/feed/rail-display";

test("the confirmed count moves only when the server's answer changes the like", () => {
  // Given a video not liked, with 4 likes
  const start = { liked: false, likes: 4 };
  // When the server confirms a like, then an unlike
  const liked = confirmLike(start, true);
  const unliked = confirmLike(liked, false);
  // Then the count follows each change
  assert.deepEqual(liked, { liked: true, likes: 5 });
  assert.deepEqual(unliked, { liked: false, likes: 4 });
  // And an answer that changes nothing (liked already, elsewhere) leaves the count
  assert.deepEqual(confirmLike(liked, true), { liked: true, likes: 5 });
});

test("a count drawn ahead of the server never shows below zero", () => {
  assert.equal(shownLikes(-1), 0);
  assert.equal(shownLikes(3), 3);
});

test("the creator's + shows to someone who does not follow them, and signed out; never on one's own video", () => {
  assert.equal(offersFollow("viewer", "creator", false), true);
  assert.equal(offersFollow("viewer", "creator", true), false);
  assert.equal(offersFollow("viewer", "creator", null), false);
  assert.equal(offersFollow(null, "creator", null), true);
  assert.equal(offersFollow("creator", "creator", false), false);
});

test("the follow button and its toast name the creator", () => {
  assert.equal(followLabel(false, "mira"), "Follow mira");
  assert.equal(followLabel(true, "mira"), "Unfollow mira");
  assert.equal(followedNote(true, "mira"), "Following mira");
  assert.equal(followedNote(false, "mira"), "Unfollowed mira");
});

test("a share sends the video's own page", () => {
  assert.equal(shareUrl("https://strom.example", "v1"), "https://strom.example/v/v1");
});
