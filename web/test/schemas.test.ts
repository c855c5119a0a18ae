import assert from "node:assert/strict";
import { test } from "node:test";

import type { CommentTarget } from "../src/comments/api";
import type { StreamTicket } from "../src/notifications/stream";
import type { InboxPage, Notification } from "../src/notifications/view";
import type { VideoPage } from "../src/profile/display";
import type { Schemas } from "../src/schemas";
import type { Signal } from "../src/signals";
import type { PendingUpload, PublishDetails, VideoCreated, VideoPublication } from "../src/upload/pending";
import type { ScheduledPage } from "../src/upload/schedule";
import type { Same, Within } from "./same";

// Type-only: these checks are made by tsc, which fails the run when one does not hold.

test("the pages the profile, scheduled list and inbox read are the server's", () => {
  // Given the page types the views read, when they are compared with what /openapi.json states
  const checks: true[] = [
    true satisfies Same<VideoPage, Schemas["VideoPage"]>,
    true satisfies Same<ScheduledPage, Schemas["ScheduledPage"]>,
    // The inbox reads the server's kinds as the ones it words: everything else is the server's page.
    true satisfies Same<Omit<InboxPage, "items">, Omit<Schemas["NotificationsPage"], "items">>,
    true satisfies Same<InboxPage["items"][number], Notification>,
    true satisfies Same<Omit<Notification, "kind">, Omit<Schemas["NotificationPublic"], "kind">>,
    true satisfies Within<InboxPage, Schemas["NotificationsPage"]>,
  ];
  // Then every one of them is the server's
  assert.equal(checks.length, 6);
});

test("what an upload sends and is answered, and what the inbox's stream and watch signals use, are the server's", () => {
  // Given the request and answer types of uploads, the stream's ticket, comments and watch signals
  const checks: true[] = [
    true satisfies Same<PublishDetails, Schemas["VideoPublish"]>,
    true satisfies Within<PendingUpload, Schemas["VideoPublish"]>,
    true satisfies Same<VideoCreated, Schemas["VideoCreated"]>,
    true satisfies Same<VideoPublication, Schemas["VideoPublication"]>,
    true satisfies Same<StreamTicket, Schemas["StreamTicket"]>,
    true satisfies Same<CommentTarget, Pick<Schemas["VideoDetails"], "video_id" | "owner_id" | "comments_allowed">>,
    true satisfies Same<{ signals: Signal[] }, Schemas["WatchBatch"]>,
  ];
  // Then each is the server's schema, or the part of it the client reads
  assert.equal(checks.length, 7);
});
