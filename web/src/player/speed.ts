/** One playback speed for every slide, remembered across visits like the sound setting. */

const KEY = "strom.speed";
/** The speeds offered, in the order a tap on the speed button steps through them. */
export const SPEEDS = [0.5, 1, 1.5, 2] as const;
export type Speed = (typeof SPEEDS)[number];
type Listener = (speed: Speed) => void;
const listeners = new Set<Listener>();

function isSpeed(value: number): value is Speed {
  return (SPEEDS as readonly number[]).includes(value);
}

export function playbackSpeed(): Speed {
  try {
    const stored = Number(localStorage.getItem(KEY));
    return isSpeed(stored) ? stored : 1;
  } catch {
    return 1;
  }
}

export function setPlaybackSpeed(speed: Speed): void {
  try {
    localStorage.setItem(KEY, String(speed));
  } catch {
    // Private mode: the setting lasts for this page only, through the listeners.
  }
  for (const listener of listeners) listener(speed);
}

/** The speed after `speed`, wrapping round to the slowest. */
export function nextSpeed(speed: Speed): Speed {
  return SPEEDS[(SPEEDS.indexOf(speed) + 1) % SPEEDS.length]!;
}

/** "1.5×": how the speed is shown and read out. */
export function speedLabel(speed: Speed): string {
  return `${speed}×`;
}

/** Called whenever the setting changes; returns what unsubscribes. */
export function onSpeedChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
