/** Uploading a video: choose a file, describe it, and follow it through upload, processing and publishing. */

import "./upload.css";
import type { Visibility } from "../api";
import { field, showErrors } from "../auth/fields";
import { h } from "../dom";
import type { View } from "../router";
import { currentSession } from "../session";
import { emptyState } from "../ui";
import { coverLink } from "./cover";
import { cancel, isActive, reset, resumePending, retry, serverMaxSize, startUpload, subscribe, type PendingUpload } from "./pending";
import { scheduledText, scheduleField, scheduleProblem, toUtc } from "./schedule";

/** VideoPublish's limits. */
const CAPTION_MAX = 2200;
const TAG = /^[A-Za-z0-9_]{1,50}$/;
const TAGS_MAX = 30;
const VIDEO_EXTENSIONS = /\.(mp4|m4v|mov|webm|mkv|avi|3gp|mpe?g|ogv)$/i;

export function resumePendingUploads(): void {
  resumePending();
}

/** "#cats, dogs #fun_1" → ["cats", "dogs", "fun_1"] (duplicates dropped, case kept from the first). */
export function parseHashtags(text: string): string[] {
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const raw of text.split(/[\s,]+/)) {
    const tag = raw.replace(/^#+/, "");
    if (!tag || seen.has(tag.toLowerCase())) continue;
    seen.add(tag.toLowerCase());
    tags.push(tag);
  }
  return tags;
}

function captionTags(caption: string): string[] {
  return Array.from(caption.matchAll(/#([A-Za-z0-9_]{1,50})/g), (m) => m[1]!.toLowerCase());
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(0)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

export function uploadView(): View {
  if (!currentSession()) {
    return {
      el: emptyState("Sign in to upload", "Share your videos with Strom once you are signed in.", {
        label: "Sign in",
        href: "/signin?next=%2Fupload",
      }),
      title: "Upload",
    };
  }
  const el = h("section", { class: "upload" }, h("h1", {}, "Upload a video"));
  const body = h("div", {});
  el.append(body);
  let showing: "form" | "progress" | null = null;
  let panel: ReturnType<typeof progressPanel> | null = null;
  let sawPublished = false;

  const unsubscribe = subscribe((stored) => {
    // Only the signed-in account's upload is shown.
    const p = stored && stored.user_id === currentSession()?.userId ? stored : null;
    if (p) {
      if (showing !== "progress") {
        panel = progressPanel();
        body.replaceChildren(panel.el);
        showing = "progress";
      }
      panel!.paint(p);
      if (p.stage === "published" || p.stage === "scheduled") sawPublished = true;
    } else if (showing !== "form") {
      panel = null;
      body.replaceChildren(uploadForm());
      showing = "form";
    }
  });

  return {
    el,
    title: "Upload",
    destroy() {
      unsubscribe();
      // A published upload was shown: the next visit starts afresh.
      if (sawPublished) void reset();
    },
  };
}

function uploadForm(): HTMLElement {
  const file = field("Video file", h("input", { type: "file", name: "file", accept: "video/*", required: true }));
  const caption = field("Caption", h("textarea", { name: "caption", rows: "3", maxlength: String(CAPTION_MAX) }),
    "#tags in the caption become hashtags too");
  const hashtags = field("Hashtags", h("input", { name: "hashtags", autocapitalize: "none", spellcheck: "false", placeholder: "#dance, #cats" }),
    "Spaces or commas between tags; letters, digits, '_'");
  const visibility = field("Visibility", h("select", { name: "visibility" },
    h("option", { value: "public" }, "Public: everyone"),
    h("option", { value: "followers" }, "Followers only"),
    h("option", { value: "private" }, "Private: only me"),
  ));
  const commentsBox = h("input", { type: "checkbox", name: "comments_allowed", id: "upload-comments", checked: true });
  const comments = h("div", { class: "check-field" }, commentsBox, h("label", { for: "upload-comments" }, "Allow comments"));
  const when = scheduleField();
  const fileInfo = h("p", { class: "file-info", "aria-live": "polite" });
  file.el.append(fileInfo);
  const counter = h("p", { class: "hint caption-counter" }, `0/${CAPTION_MAX}`);
  caption.el.append(counter);
  const problem = h("p", { class: "form-problem", role: "alert", hidden: true });
  const submit = h("button", { class: "button", type: "submit" }, "Upload");
  const fields = { file, caption, hashtags, when };

  let limit: number | null = null;
  void serverMaxSize().then((n) => {
    limit = n;
    if (n) file.control.setAttribute("data-max-size", String(n));
  });

  const chosen = (): File | null => file.control.files?.[0] ?? null;
  const checkFile = (): string | null => {
    const f = chosen();
    if (!f) return "Choose a video file";
    const looksVideo = f.type ? f.type.startsWith("video/") : VIDEO_EXTENSIONS.test(f.name);
    if (!looksVideo) return "That file is not a video";
    if (f.size === 0) return "That file is empty";
    if (limit !== null && f.size > limit) return `That file is ${formatBytes(f.size)}; the limit is ${formatBytes(limit)}`;
    return null;
  };
  const checkTags = (): string | null => {
    const tags = parseHashtags(hashtags.control.value);
    const bad = tags.find((t) => !TAG.test(t));
    if (bad) return `"${bad}" is not a hashtag: use letters, digits and '_' (at most 50)`;
    const all = new Set([...tags.map((t) => t.toLowerCase()), ...captionTags(caption.control.value)]);
    if (all.size > TAGS_MAX) return `At most ${TAGS_MAX} hashtags, counting those in the caption`;
    return null;
  };
  const checkCaption = (): string | null =>
    caption.control.value.length > CAPTION_MAX ? `A caption has at most ${CAPTION_MAX} characters` : null;

  file.control.addEventListener("change", () => {
    const f = chosen();
    fileInfo.textContent = f ? `${f.name} · ${formatBytes(f.size)}` : "";
    file.setError(f ? checkFile() : null);
  });
  caption.control.addEventListener("input", () => {
    counter.textContent = `${caption.control.value.length}/${CAPTION_MAX}`;
    if (caption.control.getAttribute("aria-invalid")) caption.setError(checkCaption());
  });
  hashtags.control.addEventListener("input", () => {
    if (hashtags.control.getAttribute("aria-invalid")) hashtags.setError(checkTags());
  });
  when.control.addEventListener("change", () => {
    when.setError(scheduleProblem(when.control.value));
    submit.textContent = when.control.value ? "Upload and schedule" : "Upload";
  });

  const form = h("form", { class: "upload-form", novalidate: true, "aria-label": "Upload a video" },
    file.el, caption.el, hashtags.el, visibility.el, comments, when.el, problem, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    problem.hidden = true;
    if (limit === null) limit = await serverMaxSize();
    const errors = { file: checkFile(), caption: checkCaption(), hashtags: checkTags(), when: scheduleProblem(when.control.value) };
    if (showErrors(fields, errors)) return;
    submit.disabled = true;
    submit.textContent = "Starting…";
    try {
      // The view switches to the progress panel as soon as the store holds the upload.
      await startUpload(chosen()!, {
        caption: caption.control.value.trim(),
        hashtags: parseHashtags(hashtags.control.value),
        visibility: visibility.control.value as Visibility,
        comments_allowed: commentsBox.checked,
        publish_at: toUtc(when.control.value),
      });
    } catch (error) {
      if (!form.isConnected) return;
      submit.disabled = false;
      submit.textContent = when.control.value ? "Upload and schedule" : "Upload";
      problem.textContent = error instanceof Error ? error.message : "Something went wrong";
      problem.hidden = false;
    }
  });
  return form;
}

function progressPanel(): { el: HTMLElement; paint(p: PendingUpload): void } {
  const name = h("p", { class: "upload-file" });
  const bar = h("div", { class: "upload-bar-fill" });
  const progress = h("div", { class: "upload-bar", role: "progressbar", "aria-label": "Upload progress", "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": "0" }, bar);
  const status = h("p", { class: "upload-status", "data-upload-status": "" });
  // The visible status changes every percent; screen readers hear stage changes and every quarter.
  const announcer = h("p", { class: "visually-hidden", role: "status", "aria-live": "polite" });
  const detail = h("p", { class: "upload-detail" });
  const actions = h("div", { class: "upload-actions" });
  const el = h("div", { class: "upload-progress" }, name, progress, status, announcer, detail, actions);
  let lastStage: string | null = null;
  let lastQuarter = -1;

  const paint = (p: PendingUpload): void => {
    const percent = Math.round(Math.min(1, Math.max(0, p.progress)) * 100);
    name.textContent = `${p.filename} · ${formatBytes(p.size)}`;
    let text: string;
    let value = percent;
    switch (p.stage) {
      case "creating":
        text = "Uploading 0%";
        value = 0;
        break;
      case "uploading":
        text = `Uploading ${percent}%`;
        break;
      case "processing":
        text = `Processing ${percent}%`;
        break;
      case "publishing":
        text = "Processing done, publishing…";
        value = 100;
        break;
      case "published":
        text = "Published";
        value = 100;
        break;
      case "scheduled":
        text = p.scheduled_for ? scheduledText(p.scheduled_for) : "Scheduled";
        value = 100;
        break;
      case "failed":
        text = `Failed: ${p.error ?? "unknown error"}`;
        break;
    }
    status.textContent = text;
    const quarter = Math.floor(percent / 25);
    if (p.stage !== lastStage || quarter !== lastQuarter) {
      announcer.textContent = text;
      lastQuarter = quarter;
    }
    progress.setAttribute("aria-valuenow", String(value));
    progress.setAttribute("aria-valuetext", text);
    progress.dataset.stage = p.stage;
    bar.style.width = `${value}%`;
    el.dataset.stage = p.stage;
    detail.textContent =
      p.stage === "uploading" || p.stage === "creating"
        ? "You can keep browsing; the upload continues, and resumes if the page reloads."
        : p.stage === "processing"
          ? "Strom is preparing your video for playback."
          : "";
    if (p.stage !== lastStage) {
      lastStage = p.stage;
      actions.replaceChildren(...actionsFor(p));
    }
  };
  return { el, paint };
}

function actionsFor(p: PendingUpload): HTMLElement[] {
  const button = (label: string, onclick: () => void, secondary = true): HTMLButtonElement =>
    h("button", { type: "button", class: secondary ? "button secondary" : "button", onclick }, label);
  const another = button("Upload another", () => void reset());
  switch (p.stage) {
    case "published":
    case "scheduled":
      return [h("a", { class: "button", href: `/v/${p.video_id}` }, "View your video"), coverLink(p.video_id!), another];
    case "failed":
      return p.retryable ? [button("Try again", () => void retry(), false), button("Cancel upload", () => void cancel())] : [another];
    default:
      return isActive(p)
        ? [button("Cancel upload", () => {
            if (window.confirm("Cancel this upload?")) void cancel();
          })]
        : [];
  }
}
