/**
 * Who is signed in: a short-lived access token, the refresh token that renews it, and their user,
 * kept in localStorage so a reload (and every other tab) stays signed in. The session lasts as long
 * as its refresh token; the access token is renewed by `api.ts` when it runs out.
 */

const KEY = "strom.session";

export interface Session {
  /** The access token sent as `Authorization: Bearer`. */
  token: string;
  userId: string;
  /** Epoch milliseconds after which the access token is refused. */
  expiresAt: number;
  /** Traded at POST /v1/auth/refresh for a new pair; works once. */
  refreshToken: string;
  /** Epoch milliseconds after which the session ends unless refreshed before. */
  refreshExpiresAt: number;
  /** The role when the tokens were issued, for showing staff their pages; the server judges every
   * request on the account's role as it is now. Absent in sessions stored before it was kept. */
  role?: string;
}

type Listener = (session: Session | null) => void;
const listeners = new Set<Listener>();

function valid(session: Partial<Session> | null): session is Session {
  return (
    !!session &&
    typeof session.token === "string" &&
    typeof session.userId === "string" &&
    typeof session.refreshToken === "string" &&
    typeof session.expiresAt === "number" &&
    typeof session.refreshExpiresAt === "number" &&
    session.refreshExpiresAt > Date.now()
  );
}

/** The stored session while it can still be renewed; a stale or older-shaped one is dropped. */
export function currentSession(): Session | null {
  const raw = localStorage.getItem(KEY);
  if (!raw) return null;
  try {
    const session = JSON.parse(raw) as Partial<Session> | null;
    if (valid(session)) return session;
  } catch {
    // fall through: what cannot be read is forgotten
  }
  localStorage.removeItem(KEY);
  return null;
}

/** Whether the signed-in person was a moderator or admin when last signed in or renewed. */
export function isStaff(): boolean {
  const role = currentSession()?.role;
  return role === "moderator" || role === "admin";
}

export function saveSession(session: Session | null): void {
  if (session) localStorage.setItem(KEY, JSON.stringify(session));
  else localStorage.removeItem(KEY);
  for (const listener of listeners) listener(session);
}

/** New tokens for the same session: stored, but nobody signed in or out, so no listener is told. */
export function renewSession(session: Session): void {
  localStorage.setItem(KEY, JSON.stringify(session));
}

/** Called on sign-in and sign-out (also from another tab); returns what unsubscribes. */
export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

window.addEventListener("storage", (event) => {
  if (event.key !== KEY) return;
  const session = currentSession();
  // Another tab renewing the tokens changes nobody's sign-in: only a change of user is news.
  if (session && event.oldValue) {
    try {
      if ((JSON.parse(event.oldValue) as Partial<Session>).userId === session.userId) return;
    } catch {
      // an unreadable old value: tell the listeners
    }
  }
  for (const listener of listeners) listener(session);
});
