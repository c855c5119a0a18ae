/** One sound setting for every slide: muted by default (autoplay allows it), remembered across visits. */

const KEY = "strom.muted";
type Listener = (muted: boolean) => void;
const listeners = new Set<Listener>();

export function isMuted(): boolean {
  try {
    return localStorage.getItem(KEY) !== "false";
  } catch {
    return true;
  }
}

export function setMuted(muted: boolean): void {
  try {
    localStorage.setItem(KEY, String(muted));
  } catch {
    // Private mode: the setting lasts for this page only, through the listeners.
  }
  for (const listener of listeners) listener(muted);
}

/** Called whenever the setting changes; returns what unsubscribes. */
export function onMuteChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
