/**
 * Labelled form fields with their own error line, shared by the sign-in, sign-up, profile and upload
 * forms: the label names the control, the error is tied to it with aria-describedby and the control
 * says aria-invalid while it is wrong.
 */

import { ApiError, fieldProblems } from "../api";
import { h } from "../dom";

export type Control = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

export interface Field<C extends Control = Control> {
  el: HTMLElement;
  control: C;
  /** Shows (or, with null, clears) the field's error. */
  setError(message: string | null): void;
}

let counter = 0;

/** A unique id for a control and its error/hint lines. */
export function uid(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}`;
}

export function field<C extends Control>(label: string, control: C, hint?: string): Field<C> {
  const id = control.id || uid("f");
  control.id = id;
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const error = h("p", { class: "error", id: errorId, hidden: true });
  const hintEl = hint ? h("p", { class: "hint", id: hintId }, hint) : null;
  control.setAttribute("aria-describedby", hint ? `${hintId} ${errorId}` : errorId);
  const el = h("div", { class: "field" }, h("label", { for: id }, label), control, hintEl, error);
  return {
    el,
    control,
    setError(message) {
      error.textContent = message ?? "";
      error.hidden = !message;
      if (message) control.setAttribute("aria-invalid", "true");
      else control.removeAttribute("aria-invalid");
    },
  };
}

/** Clears every field's error, then sets those given; focuses the first wrong field. Returns whether any. */
export function showErrors(fields: Record<string, Field>, errors: Record<string, string | null>): boolean {
  let first: Control | null = null;
  for (const [name, f] of Object.entries(fields)) {
    const message = errors[name] ?? null;
    f.setError(message);
    if (message && !first) first = f.control;
  }
  first?.focus();
  return first !== null;
}

/**
 * Which field a server problem is about: a 422 from schema validation names it in its field errors
 * (read with `fieldProblems`); a domain 422/409 says it in its detail ("email does not look like…",
 * "this handle is taken").
 */
export function fieldErrorsOf(error: unknown, names: string[]): Record<string, string> {
  const found: Record<string, string> = {};
  if (!(error instanceof ApiError)) return found;
  for (const { field: name, message } of fieldProblems(error)) {
    if (names.includes(name) && !found[name]) found[name] = sentence(message);
  }
  if (Object.keys(found).length === 0 && error.detail && (error.status === 422 || error.status === 409)) {
    const detail = error.detail.toLowerCase();
    for (const name of names) {
      const words = name.replace(/_/g, " ");
      if (detail.includes(words)) {
        found[name] = sentence(error.detail);
        break;
      }
    }
  }
  return found;
}

export function sentence(text: string): string {
  const t = text.trim();
  return t ? t[0]!.toUpperCase() + t.slice(1) : t;
}
