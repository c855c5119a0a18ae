import assert from "node:assert/strict";
import { test } from "node:test";

import { languageName, preferredTrack } from "../../src/player/languages";

const tracks = [{ lang: "de" }, { lang: "en" }, { lang: "pt-BR" }];

test("the viewer's language is preferred, then its family, then the first track", () => {
  assert.deepEqual(preferredTrack(tracks, ["en-US", "de"]), { lang: "en" });
  assert.deepEqual(preferredTrack(tracks, ["pt-PT"]), { lang: "pt-BR" });
  assert.deepEqual(preferredTrack(tracks, ["PT-br"]), { lang: "pt-BR" });
  assert.deepEqual(preferredTrack(tracks, ["ja"]), { lang: "de" });
  assert.equal(preferredTrack([], ["en"]), null);
});

test("a language is named as its speakers name it, or left as its tag", () => {
  assert.equal(languageName("en"), "English");
  assert.equal(languageName("not a tag!"), "not a tag!");
});
