import assert from "node:assert/strict";
import { test } from "node:test";

import { commentPieces } from "../src/comments/mentions";
import { captionPieces, hashtagPieces, tagHref } from "../src/hashtags";

test("a hashtag is cut out of the text as the server files it, lower-cased for its page", () => {
  // Given a caption with two tags, one in capitals, one before punctuation
  const pieces = hashtagPieces("Sunset #Beach and #cats_2!");
  // Then each tag links to its lower-case page, shown as written; the rest stays text
  assert.deepEqual(pieces, [
    { text: "Sunset " },
    { tag: "beach", written: "#Beach" },
    { text: " and " },
    { tag: "cats_2", written: "#cats_2" },
    { text: "!" },
  ]);
});

test("runs the server does not take as a hashtag stay text", () => {
  // Given letters outside A-Z, a '#' inside a word or an entity, doubled signs, and a run past 50
  const texts = ["#café", "café#x", "&#38;", "##double", "a#b", "#tag#two", "x_#y", "#é", `#${"a".repeat(51)}`];
  // Then none of them is a link (the server files none of them: domain/videos/rules.py)
  for (const text of texts) assert.deepEqual(hashtagPieces(text), [{ text }], text);
});

test("a hashtag may end at punctuation and be 50 long", () => {
  assert.deepEqual(hashtagPieces("(#Dance)"), [{ text: "(" }, { tag: "dance", written: "#Dance" }, { text: ")" }]);
  assert.deepEqual(hashtagPieces("#a-b"), [{ tag: "a", written: "#a" }, { text: "-b" }]);
  const longest = "a".repeat(50);
  assert.deepEqual(hashtagPieces(`#${longest}`), [{ tag: longest, written: `#${longest}` }]);
});

test("markup is text like any other", () => {
  assert.deepEqual(hashtagPieces("<img src=x onerror=alert(1)> #xss"), [
    { text: "<img src=x onerror=alert(1)> " },
    { tag: "xss", written: "#xss" },
  ]);
});

test("a caption is followed by the video's hashtags it does not name, each once", () => {
  // Given a caption naming #Dance, and a video filed under dance and cats
  const pieces = captionPieces("Go #Dance", ["dance", "cats"]);
  // Then only cats is added after it
  assert.deepEqual(pieces, [
    { text: "Go " },
    { tag: "dance", written: "#Dance" },
    { text: " " },
    { tag: "cats", written: "#cats" },
  ]);
});

test("a comment links mentions and hashtags, and a tag glued to a handle is neither", () => {
  // Given a comment with a mention, a tag, and a '#' straight after a handle
  const pieces = commentPieces("@mira loves #Cats, not @jonas#dogs");
  // Then the mentions and the free-standing tag are cut out; "#dogs" follows a letter, so stays text
  assert.deepEqual(pieces, [
    { handle: "mira" },
    { text: " loves " },
    { tag: "cats", written: "#Cats" },
    { text: ", not " },
    { handle: "jonas" },
    { text: "#dogs" },
  ]);
});

test("a hashtag's page address is lower-case, and none is made for a malformed tag", () => {
  assert.equal(tagHref("#Dance"), "/tag/dance");
  assert.equal(tagHref("cats"), "/tag/cats");
  assert.equal(tagHref("#café"), null);
});
