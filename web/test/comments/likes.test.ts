import assert from "node:assert/strict";
import { test } from "node:test";

import { withLike } from "../../src/comments/likes";

test("a like is kept last, an unlike drops it, and only the latest few are kept", () => {
  // Given two remembered likes
  const ids = ["a", "b"];
  // When one is liked again, it moves last; when unliked, it goes
  assert.deepEqual(withLike(ids, "a", true, 10), ["b", "a"]);
  assert.deepEqual(withLike(ids, "a", false, 10), ["b"]);
  // And past the limit the oldest are forgotten
  assert.deepEqual(withLike(ids, "c", true, 2), ["b", "c"]);
  // And the list given is not changed
  assert.deepEqual(ids, ["a", "b"]);
});
