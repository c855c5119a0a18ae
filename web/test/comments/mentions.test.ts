import assert from "node:assert/strict";
import { test } from "node:test";

import { mentionPieces } from "../../src/comments/mentions";

test("a mention is cut out of the text as the server reads it, the rest kept as written", () => {
  // Given a comment naming two people, one at the end of a sentence
  const pieces = mentionPieces("hi @Mira, and @j.doe.");
  // Then the handles are cut out, the sentence's full stop and comma stay text
  assert.deepEqual(pieces, [{ text: "hi " }, { handle: "Mira" }, { text: ", and " }, { handle: "j.doe" }, { text: "." }]);
});

test("addresses, doubled signs and runs that cannot be handles stay text", () => {
  for (const text of ["mail ann@example.com", "@@mira", "@ab", `@${"a".repeat(25)}`, "@.dot", "é@mira"]) {
    assert.deepEqual(mentionPieces(text), [{ text }], text);
  }
});

test("markup is text like any other", () => {
  assert.deepEqual(mentionPieces("<img src=x onerror=alert(1)> @eve"), [
    { text: "<img src=x onerror=alert(1)> " },
    { handle: "eve" },
  ]);
});
