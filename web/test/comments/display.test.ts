import assert from "node:assert/strict";
import { test } from "node:test";

import type { CommentItem, CommentTarget } from "../../src/comments/api";
import {
  absentAuthor,
  authorName,
  commentText,
  composerState,
  draftComment,
  hasThread,
  keepsPlaceWhenDeleted,
  likesAfter,
  offers,
  postedNote,
  repliesToggle,
  tabForKey,
  threadOf,
  unseen,
} from "../../src/comments/display";

const video: CommentTarget = { video_id: "v1", owner_id: "creator", comments_allowed: true };

/** A comment as the server sends one (typed by its schema), with what a test changes. */
function comment(changes: Partial<CommentItem> = {}): CommentItem {
  return {
    comment_id: "c1",
    video_id: "v1",
    parent_id: null,
    reply_to_id: null,
    author_id: "author",
    text: "nice",
    erased: false,
    edited: false,
    posted_at: "2025-03-10T12:00:00Z",
    likes: 0,
    reply_count: 0,
    deleted: false,
    pinned: false,
    withheld: false,
    held: false,
    ...changes,
  };
}

test("a comment reads as its text, marked when edited", () => {
  assert.deepEqual(commentText(comment()), { text: "nice", gone: false, edited: false });
  assert.deepEqual(commentText(comment({ edited: true })), { text: "nice", gone: false, edited: true });
});

test("a deleted, erased or withheld comment says why its text is missing, never marked edited", () => {
  assert.deepEqual(commentText(comment({ deleted: true, text: null, edited: true })), { text: "[deleted]", gone: true, edited: false });
  assert.deepEqual(commentText(comment({ erased: true, text: null, edited: true })), { text: "[erased]", gone: true, edited: false });
  assert.deepEqual(commentText(comment({ text: null })), { text: "[erased]", gone: true, edited: false });
  // A suspended author's comment is withheld; once deleted it reads as deleted
  assert.deepEqual(commentText(comment({ withheld: true, text: null, author_id: null })), { text: "Comment withheld", gone: true, edited: false });
  assert.equal(commentText(comment({ withheld: true, deleted: true, text: null })).text, "[deleted]");
});

test("an author who is not named is suspended or deleted; a named one shows by handle", () => {
  assert.equal(absentAuthor(comment({ author_id: null, withheld: true })), "Suspended account");
  assert.equal(absentAuthor(comment({ author_id: null })), "Deleted account");
  assert.equal(authorName("mira"), "@mira");
  assert.equal(authorName(null), "Deleted account");
});

test("the author and the creator may delete a comment; anyone signed in may answer it", () => {
  // Given a comment by "author" on the creator's video
  const item = comment();
  // Then its author may reply and delete
  assert.deepEqual(offers(item, "author", video), { reply: true, delete: true, likeHidden: false, likeDisabled: false });
  // And so may the creator
  assert.deepEqual(offers(item, "creator", video), { reply: true, delete: true, likeHidden: false, likeDisabled: false });
  // And someone else may only reply
  assert.deepEqual(offers(item, "someone", video), { reply: true, delete: false, likeHidden: false, likeDisabled: false });
  // And a signed-out viewer neither
  assert.deepEqual(offers(item, null, video), { reply: false, delete: false, likeHidden: false, likeDisabled: false });
});

test("comments turned off take no replies, but their author may still delete", () => {
  const off = { ...video, comments_allowed: false };
  assert.deepEqual(offers(comment(), "author", off), { reply: false, delete: true, likeHidden: false, likeDisabled: false });
});

test("a withheld comment offers nothing and hides its like; a deleted or posting one disables it", () => {
  assert.deepEqual(offers(comment({ withheld: true }), "creator", video), { reply: false, delete: false, likeHidden: true, likeDisabled: false });
  assert.deepEqual(offers(comment({ deleted: true }), "author", video), { reply: false, delete: false, likeHidden: false, likeDisabled: true });
  assert.equal(offers(comment(), "author", video, true).likeDisabled, true);
});

test("threads are one level deep: a reply to a reply joins its top-level comment's thread", () => {
  assert.equal(threadOf(comment({ comment_id: "top" })), "top");
  assert.equal(threadOf(comment({ comment_id: "r2", parent_id: "top", reply_to_id: "r1" })), "top");
  // And only an unheld top-level comment has a replies thread
  assert.equal(hasThread(comment()), true);
  assert.equal(hasThread(comment({ parent_id: "top" })), false);
  assert.equal(hasThread(comment({ held: true })), false);
});

test("a deleted top-level comment with replies keeps its place; any other leaves the list", () => {
  assert.equal(keepsPlaceWhenDeleted(comment({ reply_count: 2 })), true);
  assert.equal(keepsPlaceWhenDeleted(comment({ reply_count: 0 })), false);
  assert.equal(keepsPlaceWhenDeleted(comment({ parent_id: "top", reply_count: 0 })), false);
});

test("the replies toggle hides with no replies, counts them when closed, offers to hide when open", () => {
  assert.deepEqual(repliesToggle(0, false, false), { hidden: true, label: "View replies (0)" });
  assert.deepEqual(repliesToggle(3, false, false), { hidden: false, label: "View replies (3)" });
  assert.deepEqual(repliesToggle(3, true, true), { hidden: false, label: "Hide replies" });
  // Once read, the toggle stays even if its last reply went
  assert.deepEqual(repliesToggle(0, true, false), { hidden: false, label: "View replies (0)" });
});

test("a like count moves by one and never goes below zero", () => {
  assert.equal(likesAfter(4, true), 5);
  assert.equal(likesAfter(4, false), 3);
  assert.equal(likesAfter(0, false), 0);
});

test("a page's comments already drawn, or repeated within it, are drawn once, in order", () => {
  // Given a comment drawn already (the viewer posted it) and a page that repeats one
  const seen = new Set(["mine"]);
  const page = [comment({ comment_id: "a" }), comment({ comment_id: "mine" }), comment({ comment_id: "b" }), comment({ comment_id: "a" })];
  // Then the rest are kept once each, in the page's order, and what was seen is not changed
  assert.deepEqual(unseen(page, seen).map((c) => c.comment_id), ["a", "b"]);
  assert.deepEqual([...seen], ["mine"]);
});

test("Post needs text once trimmed and within the limit; the counter shows in the last hundred", () => {
  assert.deepEqual(composerState("", 1000), { canPost: false, counterHidden: true, counter: "0/1000" });
  assert.deepEqual(composerState("   ", 1000), { canPost: false, counterHidden: true, counter: "3/1000" });
  assert.deepEqual(composerState("hi", 1000), { canPost: true, counterHidden: true, counter: "2/1000" });
  assert.deepEqual(composerState("x".repeat(900), 1000), { canPost: true, counterHidden: false, counter: "900/1000" });
  assert.equal(composerState("x".repeat(1001), 1000).canPost, false);
});

test("arrows switch between the two tabs, Home and End go to the first and last, other keys do nothing", () => {
  assert.equal(tabForKey("ArrowRight", "newest"), "top");
  assert.equal(tabForKey("ArrowLeft", "newest"), "top");
  assert.equal(tabForKey("ArrowRight", "top"), "newest");
  assert.equal(tabForKey("Home", "top"), "newest");
  assert.equal(tabForKey("End", "newest"), "top");
  assert.equal(tabForKey("Enter", "newest"), null);
});

test("a draft is the viewer's comment as the server would send it, pending until it answers", () => {
  // Given the viewer replies in a thread
  const draft = draftComment("d1", video, "me", "hello", "top", new Date("2025-03-10T12:00:00Z"));
  // Then it is theirs, in that thread, with nothing counted yet
  assert.deepEqual(draft, comment({ comment_id: "pending-d1", parent_id: "top", reply_to_id: "top", author_id: "me", text: "hello", posted_at: "2025-03-10T12:00:00.000Z" }));
  assert.equal(draftComment("d2", video, "me", "hi", null, new Date()).parent_id, null);
});

test("the screen reader is told whether a comment or a reply was posted or held", () => {
  assert.equal(postedNote(false, false), "Comment posted");
  assert.equal(postedNote(true, false), "Reply posted");
  assert.equal(postedNote(false, true), "Comment held for review");
  assert.equal(postedNote(true, true), "Reply held for review");
});
