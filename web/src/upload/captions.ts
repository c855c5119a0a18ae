/**
 * The owner's tools on their own video's page: add or replace a caption track (a WebVTT file, one
 * per language), remove one, and call off a scheduled publication.
 *
 * The file goes to `PUT /v1/videos/{id}/captions/{lang}` as it is; Strom reads it, says why it
 * refuses one (the line, the cue), and keeps its own plain copy. The form checks only what it can
 * know without reading the file closely: that there is one, of a sensible size, and a language.
 */

import "./schedule.css";
import { describe, request, type VideoDetails } from "../api";
import { field, showErrors } from "../auth/fields";
import { h } from "../dom";
import { languageName } from "../player/captions";
import { toast } from "../ui";
import { cancelSchedule } from "./schedule";

/** The server's cap on a caption file. */
export const CAPTION_MAX_BYTES = 256 * 1024;
const LANGUAGE = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;

/** Puts a WebVTT file as the video's track in `lang` (with a renewed token, if the first is refused). */
export async function putCaptions(videoId: string, lang: string, file: Blob): Promise<void> {
  await request("PUT", `/v1/videos/${videoId}/captions/${encodeURIComponent(lang)}`, {
    file: { data: file, type: "text/vtt" },
  });
}

export async function removeCaptions(videoId: string, lang: string): Promise<void> {
  await request("DELETE", `/v1/videos/${videoId}/captions/${encodeURIComponent(lang)}`);
}

/** The owner's bar on their video's page; nothing for anyone else. `changed` reloads the page's video. */
export function ownerTools(details: VideoDetails, ownerId: string | null, changed: () => void): HTMLElement | null {
  if (ownerId !== details.owner_id) return null;
  const bar = h("div", { class: "owner-tools" },
    h("button", { class: "owner-tool", type: "button", onclick: () => openCaptions(details, changed) }, "Edit captions"),
  );
  if (details.schedule && !details.schedule.failed) {
    const cancel = h("button", {
      class: "owner-tool",
      type: "button",
      onclick: async () => {
        cancel.disabled = true;
        try {
          await cancelSchedule(details.video_id);
          toast("The scheduled publication is called off");
          changed();
        } catch (error) {
          cancel.disabled = false;
          toast(describe(error));
        }
      },
    }, "Cancel schedule");
    bar.append(cancel);
  }
  return bar;
}

function openCaptions(details: VideoDetails, changed: () => void): void {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const lang = field("Language", h("input", {
    name: "lang",
    autocapitalize: "none",
    spellcheck: "false",
    maxlength: "35",
    value: navigator.language || "en",
  }), "A language tag such as en, pt-BR or zh-Hant");
  const file = field("WebVTT file", h("input", { type: "file", name: "captions", accept: ".vtt,text/vtt" }),
    "Up to 256 KB; cues in order, within the video");
  const problem = h("p", { class: "form-problem", role: "alert", hidden: true });
  const submit = h("button", { class: "button", type: "submit" }, "Add captions");
  const close = h("button", { class: "button secondary", type: "button", onclick: () => dialog.close() }, "Close");
  const tracks = h("ul", { class: "caption-tracks", role: "list" },
    ...(details.captions ?? []).map((track) => {
      const remove = h("button", {
        class: "button secondary",
        type: "button",
        "aria-label": `Remove ${languageName(track.lang)} captions`,
        onclick: async () => {
          remove.disabled = true;
          try {
            await removeCaptions(details.video_id, track.lang);
            toast("Captions removed");
            dialog.close();
            changed();
          } catch (error) {
            remove.disabled = false;
            problem.textContent = describe(error);
            problem.hidden = false;
          }
        },
      }, "Remove");
      return h("li", { class: "scheduled-item" }, h("span", {}, `${languageName(track.lang)} (${track.lang})`), remove);
    }),
  );
  const form = h("form", { class: "captions-form", novalidate: true, "aria-label": "Add captions" },
    h("h2", {}, "Captions"),
    (details.captions ?? []).length ? tracks : h("p", { class: "hint" }, "No captions yet."),
    lang.el, file.el, problem,
    h("div", { class: "captions-actions" }, submit, close),
  );
  const dialog = h("dialog", { class: "captions-dialog", "aria-label": "Captions" }, form);
  dialog.addEventListener("close", () => {
    dialog.remove();
    opener?.focus();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.hidden = true;
    const chosen = file.control.files?.[0] ?? null;
    const tag = lang.control.value.trim();
    const errors = {
      lang: LANGUAGE.test(tag) ? null : "Write a language tag such as en or pt-BR",
      file: !chosen ? "Choose a WebVTT (.vtt) file" : chosen.size > CAPTION_MAX_BYTES ? "That file is larger than 256 KB" : null,
    };
    if (showErrors({ lang, file }, errors) || !chosen) return;
    submit.disabled = true;
    try {
      await putCaptions(details.video_id, tag, chosen);
      toast("Captions added");
      dialog.close();
      changed();
    } catch (error) {
      submit.disabled = false;
      problem.textContent = describe(error);
      problem.hidden = false;
    }
  });
  document.body.append(dialog);
  dialog.showModal();
}
