/**
 * Publishing later: the date-time field on the upload form (the person's local time, sent as UTC),
 * how a schedule reads ("Scheduled for 2 Jun 2030, 18:00"), the note the owner sees on their video,
 * and their list of scheduled videos on their profile, each of which they may call off.
 *
 * The server holds the rules (at least a minute, at most 90 days ahead) and says why it refuses; the
 * field checks the same first, so a mistake is caught before the upload starts.
 */

import "./schedule.css";
import { describe, get, request, type VideoDetails } from "../api";
import { field, type Field } from "../auth/fields";
import { h } from "../dom";
import type { Schemas } from "../schemas";
import { errorState, toast } from "../ui";
import { AT_LEAST_MS, AT_MOST_DAYS, DAY_MS, formatWhen, scheduledText, toLocalInput } from "./when";

export { scheduleProblem, scheduledText, toUtc } from "./when";

type ScheduledVideo = Schemas["ScheduledVideo"];
export type ScheduledPage = Schemas["ScheduledPage"];

/** The upload form's field: optional, bounded to the times the server accepts. */
export function scheduleField(): Field<HTMLInputElement> {
  const now = Date.now();
  const input = h("input", {
    type: "datetime-local",
    name: "publish_at",
    min: toLocalInput(new Date(now + 2 * AT_LEAST_MS)),
    max: toLocalInput(new Date(now + AT_MOST_DAYS * DAY_MS)),
  });
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return field("Publish at (optional)", input, `Your time${zone ? ` (${zone})` : ""}. Leave empty to publish as soon as it is ready.`);
}

/** Calls a scheduled publication off; the video stays unpublished. */
export async function cancelSchedule(videoId: string): Promise<void> {
  await request("DELETE", `/v1/videos/${videoId}/schedule`);
}

/** The owner's note on their scheduled video (nothing for anyone else, or a published video). */
export function scheduleNote(details: VideoDetails): HTMLElement | null {
  const schedule = details.schedule;
  if (!schedule) return null;
  const text = schedule.failed
    ? `Not published at ${formatWhen(schedule.publish_at)}: ${schedule.failed}`
    : scheduledText(schedule.publish_at);
  return h("p", { class: "slide-scheduled", role: "status", "data-scheduled": schedule.publish_at }, text);
}

/** The owner's scheduled videos on their profile, soonest first; hidden while there are none. */
export function scheduledList(userId: string, signal: AbortSignal): HTMLElement {
  const list = h("ul", { class: "scheduled-list", role: "list" });
  const section = h("section", { class: "profile-scheduled", "aria-label": "Scheduled", hidden: true },
    h("h2", {}, "Scheduled"), list);

  const load = async (): Promise<void> => {
    try {
      const page = await get<ScheduledPage>(`/v1/users/${userId}/scheduled`, { limit: 50 }, signal);
      list.replaceChildren(...page.items.map((item) => row(item, () => void load())));
      section.hidden = page.items.length === 0;
    } catch (error) {
      if (signal.aborted) return;
      list.replaceChildren(h("li", {}, errorState(error, () => void load())));
      section.hidden = false;
    }
  };
  void load();
  return section;
}

function row(item: ScheduledVideo, reload: () => void): HTMLElement {
  const text = item.failed
    ? `Not published at ${formatWhen(item.publish_at)}: ${item.failed}`
    : scheduledText(item.publish_at);
  const cancel = h("button", {
    class: "button secondary",
    type: "button",
    onclick: async () => {
      cancel.disabled = true;
      try {
        await cancelSchedule(item.video_id);
        toast("The scheduled publication is called off");
        reload();
      } catch (error) {
        cancel.disabled = false;
        toast(describe(error));
      }
    },
  }, "Cancel");
  return h("li", { class: "scheduled-item" },
    h("a", { href: `/v/${item.video_id}` }, text),
    item.failed ? null : cancel,
  );
}
