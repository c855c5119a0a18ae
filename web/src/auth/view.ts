/** Sign in and sign up: small forms that check what the API checks before sending, and say plainly what went wrong. */

import "./auth.css";
import { ApiError, describe, request, sessionOf, type TokenIssued } from "../api";
import { h } from "../dom";
import { navigate, type View } from "../router";
import { saveSession } from "../session";
import { field, fieldErrorsOf, sentence, showErrors, type Field } from "./fields";

/** The API's own rules (AccountCreate), so most mistakes are caught before a round trip. */
export const HANDLE = /^[A-Za-z0-9_][A-Za-z0-9_.]*$/;

export function validHandle(value: string): string | null {
  if (!value) return "Enter a handle";
  if (value.length < 3 || value.length > 24) return "A handle has 3 to 24 characters";
  if (value.startsWith(".")) return "A handle cannot start with '.'";
  if (!HANDLE.test(value)) return "Use only letters, digits, '_' and '.'";
  return null;
}

export function validDisplayName(value: string): string | null {
  if (!value.trim()) return "Enter a display name";
  if (value.length > 50) return "A display name has at most 50 characters";
  return null;
}

function validPassword(value: string, creating: boolean): string | null {
  if (!value) return "Enter your password";
  if (!creating) return value.length > 256 ? "A password has at most 256 characters" : null;
  if (value.length < 8) return "Use at least 8 characters";
  if (value.length > 256) return "A password has at most 256 characters";
  return null;
}

function validEmail(value: string): string | null {
  if (!value) return "Enter your email address";
  if (value.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) return "Enter an email address like name@example.com";
  return null;
}

/** Where to go after signing in: `?next=` when it is a path of this site, else the feed. */
function nextPath(): string {
  const next = new URLSearchParams(location.search).get("next");
  return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/signin") && !next.startsWith("/signup")
    ? next
    : "/";
}

function input(attrs: Record<string, string | boolean>): HTMLInputElement {
  return h("input", { autocapitalize: "none", spellcheck: "false", ...attrs });
}

/** The sign-in or sign-up form, shared by the pages and the sign-in sheet over the feed. */
export interface AuthForm {
  form: HTMLFormElement;
  /** Puts the cursor in the first field. */
  focus(): void;
}

export interface AuthFormOptions {
  /** The id of the heading that names the form. */
  labelledBy: string;
  /** Called once the person is signed in (their session is saved). */
  onSignedIn(): void;
  /** Sign-up only: the account was created but the automatic sign-in failed. */
  onCreatedOnly(): void;
}

export function authForm(mode: "signin" | "signup", options: AuthFormOptions): AuthForm {
  const creating = mode === "signup";
  const fields: Record<string, Field> = creating
    ? {
        handle: field("Handle", input({ name: "handle", autocomplete: "username", maxlength: "24", required: true }),
          "3–24 letters, digits, '_' or '.'"),
        email: field("Email", input({ name: "email", type: "email", autocomplete: "email", inputmode: "email", required: true })),
        display_name: field("Display name", input({ name: "display_name", autocomplete: "name", maxlength: "50", required: true, autocapitalize: "words", spellcheck: "true" })),
        password: field("Password", input({ name: "password", type: "password", autocomplete: "new-password", required: true }),
          "At least 8 characters"),
      }
    : {
        login: field("Handle or email", input({ name: "login", autocomplete: "username", required: true })),
        password: field("Password", input({ name: "password", type: "password", autocomplete: "current-password", required: true })),
      };
  const value = (name: string): string => fields[name]!.control.value;

  const problem = h("p", { class: "form-problem", role: "alert", hidden: true });
  const submit = h("button", { class: "button", type: "submit" }, creating ? "Create account" : "Sign in");
  const status = h("p", { class: "visually-hidden", role: "status", "aria-live": "polite" });

  const form = h("form", { class: "auth-form", novalidate: true, "aria-labelledby": options.labelledBy },
    ...Object.values(fields).map((f) => f.el),
    problem,
    submit,
    status,
  );

  const setBusy = (busy: boolean): void => {
    submit.disabled = busy;
    form.setAttribute("aria-busy", String(busy));
    submit.textContent = busy ? (creating ? "Creating account…" : "Signing in…") : creating ? "Create account" : "Sign in";
    status.textContent = busy ? (creating ? "Creating your account" : "Signing in") : "";
  };

  const showProblem = (message: string | null): void => {
    problem.textContent = message ?? "";
    problem.hidden = !message;
  };

  const validate = (): Record<string, string | null> =>
    creating
      ? {
          handle: validHandle(value("handle").trim()),
          email: validEmail(value("email").trim()),
          display_name: validDisplayName(value("display_name")),
          password: validPassword(value("password"), true),
        }
      : {
          login: value("login").trim() ? null : "Enter your handle or email",
          password: validPassword(value("password"), false),
        };

  // Errors clear as the person fixes them; they are only (re)checked on blur once a field was touched.
  for (const [name, f] of Object.entries(fields)) {
    f.control.addEventListener("input", () => {
      if (f.control.getAttribute("aria-invalid")) f.setError(validate()[name] ?? null);
    });
  }

  const signIn = async (login: string, password: string): Promise<void> => {
    const token = await request<TokenIssued>("POST", "/v1/auth/token", { body: { login, password } });
    saveSession(sessionOf(token));
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    showProblem(null);
    if (showErrors(fields, validate())) return;
    setBusy(true);
    let created = false;
    try {
      if (creating) {
        await request("POST", "/v1/accounts", {
          body: {
            handle: value("handle").trim(),
            email: value("email").trim(),
            display_name: value("display_name").trim(),
            password: value("password"),
          },
        });
        created = true;
        await signIn(value("handle").trim(), value("password"));
      } else {
        await signIn(value("login").trim(), value("password"));
      }
      options.onSignedIn();
    } catch (error) {
      setBusy(false);
      if (created) {
        options.onCreatedOnly();
        return;
      }
      const byField = fieldErrorsOf(error, Object.keys(fields));
      if (Object.keys(byField).length) {
        showErrors(fields, byField);
        return;
      }
      showProblem(problemText(error, creating));
      if (error instanceof ApiError && error.status === 401) {
        fields.password!.control.value = "";
        fields.password!.control.focus();
      }
    }
  });

  return { form, focus: () => Object.values(fields)[0]?.control.focus({ preventScroll: true }) };
}

export function authView(mode: "signin" | "signup"): View {
  const creating = mode === "signup";
  const next = new URLSearchParams(location.search).get("next");
  const suffix = next ? `?next=${encodeURIComponent(next)}` : "";
  const other = creating
    ? h("p", { class: "auth-switch" }, "Already have an account? ", h("a", { href: `/signin${suffix}` }, "Sign in"))
    : h("p", { class: "auth-switch" }, "New to Strom? ", h("a", { href: `/signup${suffix}` }, "Create an account"));
  const { form, focus } = authForm(mode, {
    labelledBy: "auth-title",
    onSignedIn: () => navigate(nextPath(), true),
    // The account exists; only the automatic sign-in failed.
    onCreatedOnly: () => navigate(`/signin${suffix}`, true),
  });

  const el = h("section", { class: "auth" },
    h("h1", { id: "auth-title" }, creating ? "Create your account" : "Sign in to Strom"),
    form,
    other,
  );
  queueMicrotask(focus);
  return { el, title: creating ? "Create account" : "Sign in" };
}

function problemText(error: unknown, creating: boolean): string {
  if (!(error instanceof ApiError)) return "Something went wrong. Try again.";
  if (error.offline) return `${error.title}. Check your connection and try again.`;
  switch (error.status) {
    case 401:
      return "Wrong handle, email or password.";
    case 409:
      return sentence(error.detail ?? (creating ? "That handle or email is taken." : "Conflict"));
    case 429:
      return "Too many attempts. Wait a moment and try again.";
    default:
      return sentence(describe(error));
  }
}
