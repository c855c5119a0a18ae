import "./browser";

import assert from "node:assert/strict";
import { test } from "node:test";

import { request } from "../src/api";
import { currentSession, saveSession } from "../src/session";

interface Sent {
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** Answers each request with the next of `answers`, keeping what was sent. */
function serve(answers: Response[]): Sent[] {
  const sent: Sent[] = [];
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    sent.push({ url: String(input), headers: { ...(init?.headers as Record<string, string>) }, body: init?.body });
    const answer = answers.shift();
    assert.ok(answer, `no answer left for ${String(input)}`);
    return answer;
  };
  return sent;
}

function signedIn(token: string): void {
  const later = Date.now() + 3_600_000;
  saveSession({ token, userId: "u-1", expiresAt: later, refreshToken: "r-1", refreshExpiresAt: later });
}

const renewed = {
  access_token: "fresh",
  user_id: "u-1",
  expires_in: 900,
  refresh_token: "r-2",
  refresh_expires_in: 86400,
  role: "member",
};

test("a file is sent as it is, with its own type, and once more on renewed tokens after a 401", async () => {
  // Given a session whose access token the server no longer takes
  signedIn("stale");
  const file = new Blob(["WEBVTT\n"], { type: "text/vtt" });
  const sent = serve([
    new Response(null, { status: 401 }),
    Response.json(renewed),
    Response.json({ lang: "en" }),
  ]);

  // When a caption file is put
  await request("PUT", "/v1/videos/v-1/captions/en", { file: { data: file, type: "text/vtt" } });

  // Then the refusal was answered by a renewal, and the file went again, the same, with the new token
  assert.deepEqual(sent.map((s) => s.url), ["/v1/videos/v-1/captions/en", "/v1/auth/refresh", "/v1/videos/v-1/captions/en"]);
  const [first, , again] = sent;
  assert.equal(again.headers.Authorization, "Bearer fresh");
  assert.equal(again.headers["Content-Type"], "text/vtt");
  assert.equal(again.body, file);
  assert.equal(again.headers["Idempotency-Key"], first.headers["Idempotency-Key"]);
  assert.equal(currentSession()?.token, "fresh");
});
