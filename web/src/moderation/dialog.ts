/**
 * A modal form for an action that needs words (a reason, a statement): a native `<dialog>` shown
 * modally, so the page under it is inert; Tab stays inside, Escape or Cancel closes it and focus
 * goes back to the button that opened it. The form checks itself before sending and shows the
 * API's problem as it is when the send is refused.
 */

import { describe } from "../api";
import { field, fieldErrorsOf, showErrors, type Field } from "../auth/fields";
import { h, trapTab } from "../dom";
import { REASON_MAX, reasonProblem } from "./api";

export interface DialogOptions {
  title: string;
  /** What the submit button says ("Remove video"). */
  submit: string;
  /** Short text under the title: what will happen. */
  intro?: string;
  /** Controls shown before the words field (a select, checkboxes). */
  controls?: HTMLElement[];
  /** The words field: "Reason" unless said; told to the person affected. */
  words?: { label: string; name: string; max: number; hint?: string; what: string };
  /** Checks the controls; a message per invalid field name (null when fine). */
  check?: () => Record<string, string | null>;
  /** Fields the check names, besides the words field. */
  fields?: Record<string, Field>;
  /** Sends it; throws an ApiError to keep the dialog open with the problem shown. */
  send: (words: string) => Promise<void>;
  /** A destructive action gets the accent colour on its submit button. */
  danger?: boolean;
}


export function openDialog(options: DialogOptions): void {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const words = options.words ?? {
    label: "Reason",
    name: "reason",
    max: REASON_MAX,
    hint: "Told to the person affected and kept with the action",
    what: "a reason",
  };
  const wordsField = field(words.label, h("textarea", { name: words.name, rows: "4", maxlength: String(words.max), required: true }), words.hint);
  const fields: Record<string, Field> = { ...(options.fields ?? {}), [words.name]: wordsField };
  const problem = h("p", { class: "form-problem", role: "alert", hidden: true });
  const submit = h("button", { class: options.danger ? "button" : "button secondary", type: "submit" }, options.submit);
  const cancel = h("button", { class: "button secondary", type: "button", onclick: () => close() }, "Cancel");
  const titleId = `dialog-title-${Math.random().toString(36).slice(2, 8)}`;
  const form = h("form", { class: "mod-dialog-form", novalidate: true },
    h("h2", { id: titleId, class: "mod-dialog-title" }, options.title),
    options.intro ? h("p", { class: "mod-dialog-intro" }, options.intro) : null,
    ...(options.controls ?? []),
    wordsField.el,
    problem,
    h("div", { class: "mod-dialog-actions" }, submit, cancel),
  );
  const dialog = h("dialog", { class: "mod-dialog", "aria-labelledby": titleId }, form);

  function close(): void {
    if (!dialog.isConnected) return;
    dialog.close();
    dialog.remove();
    if (opener?.isConnected) opener.focus({ preventScroll: true });
  }

  // Escape: the browser cancels a modal dialog; closing it the same way Cancel does restores focus.
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    if (!submit.disabled) close();
  });
  dialog.addEventListener("keydown", (event) => {
    if (event.key === "Tab") trapTab(dialog, event);
  });

  // A click on the backdrop (outside the form) closes it, as Escape does.
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog && !submit.disabled) close();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    problem.hidden = true;
    const text = wordsField.control.value;
    const errors = { ...(options.check?.() ?? {}), [words.name]: reasonProblem(text, words.what, words.max) };
    if (showErrors(fields, errors)) return;
    submit.disabled = true;
    cancel.disabled = true;
    const label = submit.textContent;
    submit.textContent = "Sending…";
    try {
      await options.send(text.trim());
      close();
    } catch (error) {
      submit.disabled = false;
      cancel.disabled = false;
      submit.textContent = label;
      const byField = fieldErrorsOf(error, Object.keys(fields));
      if (Object.keys(byField).length) showErrors(fields, byField);
      else {
        problem.textContent = describe(error);
        problem.hidden = false;
      }
    }
  });

  (document.getElementById("app") ?? document.body).append(dialog);
  dialog.showModal();
  const first = dialog.querySelector<HTMLElement>("select, input, textarea");
  (first ?? wordsField.control).focus();
}

/** A labelled select of values, each shown in words. */
export function choice(label: string, name: string, values: readonly (readonly [string, string])[], hint?: string): Field<HTMLSelectElement> {
  const select = h("select", { name });
  for (const [value, text] of values) select.append(h("option", { value }, text));
  return field(label, select, hint);
}

/** Checkboxes in a fieldset with a legend: the chosen values, and an error line of its own. */
export function checkboxes(legend: string, name: string, values: readonly string[], shown: (v: string) => string): {
  el: HTMLElement;
  chosen: () => string[];
  field: Field;
} {
  const boxes = values.map((value) => h("input", { type: "checkbox", name, value, id: `${name}-${value}` }));
  const error = h("p", { class: "error", id: `${name}-error`, hidden: true });
  const el = h("fieldset", { class: "field mod-checks", "aria-describedby": `${name}-error` },
    h("legend", {}, legend),
    ...boxes.map((box, i) => h("label", { class: "mod-check", for: box.id }, box, shown(values[i]!))),
    error,
  );
  return {
    el,
    chosen: () => boxes.filter((b) => b.checked).map((b) => b.value),
    field: {
      el,
      control: boxes[0]!,
      setError(message) {
        error.textContent = message ?? "";
        error.hidden = !message;
      },
    },
  };
}
