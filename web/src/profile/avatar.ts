/**
 * One's own profile picture: choose a file, see it before sending, upload it with its progress shown,
 * or remove the picture. The server judges the file by its bytes (JPEG, PNG or WebP, at most 5 MB,
 * not too many pixels) and says why it refuses one; that reason is shown as it is. The checks here
 * only spare a doomed upload: a file the browser calls something else is still sent if the person
 * insists, since only the server's word counts.
 */

import "./avatar.css";
import { authHeaders, describe, errorOf, profileOf, request, type Profile } from "../api";
import { uid } from "../auth/fields";
import { h } from "../dom";
import type { Schemas } from "../schemas";
import { toast } from "../ui";

export const AVATAR_MAX_BYTES = 5 * 1024 * 1024;
const ACCEPT = "image/jpeg,image/png,image/webp";

type AvatarSet = Schemas["AvatarPublic"];

/** What a chosen file looks like from here: null when worth sending, else why not. */
export function avatarFileProblem(file: { size: number; type: string }): string | null {
  if (file.size === 0) return "That file is empty";
  if (file.size > AVATAR_MAX_BYTES) return "That picture is over 5 MB; choose a smaller one";
  if (file.type && !ACCEPT.split(",").includes(file.type)) return "Choose a JPEG, PNG or WebP picture";
  return null;
}

/** `changed` is given the position of the change, to read the profile back with it. */
export function avatarPicker(p: Profile, changed: (position: number) => Promise<void>): HTMLElement {
  const id = uid("avatar");
  const input = h("input", { type: "file", id, name: "avatar", accept: ACCEPT, class: "avatar-file" });
  input.setAttribute("aria-describedby", `${id}-hint ${id}-problem`);
  const preview = h("img", { class: "avatar avatar-preview", alt: "Preview of the chosen picture", hidden: true });
  const problem = h("p", { class: "form-problem", id: `${id}-problem`, role: "alert", hidden: true });
  const status = h("p", { class: "avatar-status", role: "status", "aria-live": "polite" });
  const progress = h("progress", { class: "avatar-progress", max: "100", value: "0", "aria-label": "Upload progress", hidden: true });
  const upload = h("button", { class: "button", type: "button", disabled: true }, "Upload picture");
  const remove = h("button", { class: "button secondary", type: "button", hidden: !p.avatar_url }, "Remove picture");
  let previewUrl: string | null = null;
  let busy = false;

  const chosen = (): File | null => input.files?.[0] ?? null;
  const showProblem = (message: string | null): void => {
    problem.textContent = message ?? "";
    problem.hidden = message === null;
    input.setAttribute("aria-invalid", String(message !== null));
  };
  const setBusy = (on: boolean, label?: string): void => {
    busy = on;
    upload.disabled = on || chosen() === null;
    remove.disabled = on;
    input.disabled = on;
    if (label !== undefined) status.textContent = label;
  };

  input.addEventListener("change", () => {
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = null;
    const file = chosen();
    showProblem(file ? avatarFileProblem(file) : null);
    preview.hidden = !file;
    if (file) {
      previewUrl = URL.createObjectURL(file);
      preview.src = previewUrl;
    }
    upload.disabled = busy || !file;
    status.textContent = "";
  });

  upload.addEventListener("click", async () => {
    const file = chosen();
    if (!file || busy) return;
    showProblem(null);
    progress.value = 0;
    progress.hidden = false;
    setBusy(true, "Uploading your picture…");
    try {
      const result = await send(file, (share) => {
        progress.value = Math.round(share * 100);
        status.textContent = share < 1 ? `Uploading your picture… ${Math.round(share * 100)}%` : "Making your picture…";
      });
      status.textContent = "Picture saved";
      toast("Picture saved");
      void profileOf(p.user_id, true).catch(() => undefined);
      await changed(result.position);
    } catch (error) {
      showProblem(describe(error));
      status.textContent = "";
    } finally {
      progress.hidden = true;
      setBusy(false);
    }
  });

  remove.addEventListener("click", async () => {
    if (busy) return;
    showProblem(null);
    setBusy(true, "Removing your picture…");
    try {
      const result = await request<AvatarSet>("DELETE", "/v1/me/avatar");
      toast("Picture removed");
      void profileOf(p.user_id, true).catch(() => undefined);
      await changed(result.position);
    } catch (error) {
      showProblem(describe(error));
      status.textContent = "";
    } finally {
      setBusy(false);
    }
  });

  return h("section", { class: "avatar-picker", "aria-labelledby": `${id}-title` },
    h("h2", { class: "avatar-picker-title", id: `${id}-title` }, "Profile picture"),
    preview,
    h("label", { for: id, class: "avatar-file-label" }, "Choose a picture"),
    input,
    h("p", { class: "hint", id: `${id}-hint` }, "JPEG, PNG or WebP, at most 5 MB. It is shown square."),
    progress,
    status,
    problem,
    h("div", { class: "avatar-actions" }, upload, remove),
  );
}

/**
 * The file as the request body, by XMLHttpRequest for its upload progress (fetch has none). The
 * bearer is read as it is sent; the client renews it ahead of its expiry (api.ts).
 */
function send(file: File, onProgress: (share: number) => void): Promise<AvatarSet> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/v1/me/avatar");
    for (const [name, value] of Object.entries(authHeaders())) xhr.setRequestHeader(name, value);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("Idempotency-Key", crypto.randomUUID());
    if (file.type) xhr.setRequestHeader("Content-Type", file.type);
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener("load", () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON: a proxy's page; the status says enough
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as AvatarSet);
      else reject(errorOf(xhr.status, xhr.statusText, body));
    });
    xhr.addEventListener("error", () => reject(errorOf(0, navigator.onLine ? "Strom cannot be reached" : "You are offline", null)));
    xhr.send(file);
  });
}
