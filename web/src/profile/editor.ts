/** Editing one's own profile in place: display name and bio, checked as the API checks them, with the
 * server's field errors shown by their fields. */

import { describe, profileOf, request, type Profile } from "../api";
import { field, fieldErrorsOf, showErrors } from "../auth/fields";
import { validDisplayName } from "../auth/view";
import { h } from "../dom";
import type { Schemas } from "../schemas";
import { toast } from "../ui";
import { BIO_MAX, bioProblem } from "./display";

/** Opens the editor in place of `actions`; `saved` is given the position of the update to read it back. */
export function openEditor(p: Profile, actions: HTMLElement, saved: (position: number) => Promise<void>): void {
  const opener = document.activeElement as HTMLElement | null;
  const fields = {
    display_name: field("Display name", h("input", { name: "display_name", maxlength: "50", autocomplete: "name", required: true })),
    bio: field("Bio", h("textarea", { name: "bio", rows: "3", maxlength: String(BIO_MAX) }), `At most ${BIO_MAX} characters`),
  };
  fields.display_name.control.value = p.display_name ?? "";
  fields.bio.control.value = p.bio ?? "";
  const problem = h("p", { class: "form-problem", role: "alert", hidden: true });
  const save = h("button", { class: "button", type: "submit" }, "Save");
  const close = (): void => {
    form.remove();
    actions.hidden = false;
    opener?.focus();
  };
  const form: HTMLFormElement = h("form", { class: "profile-editor", novalidate: true, "aria-label": "Edit profile" },
    fields.display_name.el,
    fields.bio.el,
    problem,
    h("div", { class: "profile-editor-actions" },
      save,
      h("button", { class: "button secondary", type: "button", onclick: close }, "Cancel"),
    ),
  );
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (save.disabled) return;
    problem.hidden = true;
    const displayName = fields.display_name.control.value.trim();
    const bioText = fields.bio.control.value.trim();
    if (showErrors(fields, { display_name: validDisplayName(displayName), bio: bioProblem(bioText) })) return;
    save.disabled = true;
    save.textContent = "Saving…";
    try {
      const body: Schemas["ProfileUpdate"] = { display_name: displayName, bio: bioText };
      // The update replaces the whole profile: an address given before is sent back. A picture
      // uploaded to Strom (a /v1/media URL) is no address: it stays as it is unless removed.
      if (p.avatar_url?.startsWith("https://")) body.avatar_url = p.avatar_url;
      const result = await request<Schemas["AccountResult"]>("PUT", "/v1/me/profile", { body });
      toast("Profile saved");
      void profileOf(p.user_id, true).catch(() => undefined);
      await saved(result.position);
    } catch (error) {
      save.disabled = false;
      save.textContent = "Save";
      const byField = fieldErrorsOf(error, ["display_name", "bio"]);
      if (Object.keys(byField).length) showErrors(fields, byField);
      else {
        problem.textContent = describe(error);
        problem.hidden = false;
      }
    }
  });
  actions.hidden = true;
  actions.after(form);
  fields.display_name.control.focus();
}
