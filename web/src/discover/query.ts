/** The pure parts of search as people type: what to ask for, and links to handles. */

import type { SearchKind } from "./api";

/** What a typed query asks: `#dan` only hashtags, `@mi` only creators, anything else all three. */
export function planSearch(typed: string): { q: string; kinds: SearchKind[] } | null {
  const text = typed.trim();
  if (!text) return null;
  if (text.startsWith("#")) {
    const q = text.slice(1).trim();
    return q ? { q: q.slice(0, 100), kinds: ["hashtags"] } : null;
  }
  if (text.startsWith("@")) {
    const q = text.slice(1).trim();
    return q ? { q: q.slice(0, 100), kinds: ["creators"] } : null;
  }
  return { q: text.slice(0, 100), kinds: ["creators", "hashtags", "videos"] };
}

export function handleHref(handle: string): string {
  return `/@${encodeURIComponent(handle)}`;
}

/** Calls `run` once typing pauses for `ms`; `cancel` drops a pending call. */
export function debounce<A extends unknown[]>(run: (...args: A) => void, ms: number): { call(...args: A): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    call(...args: A) {
      clearTimeout(timer);
      timer = setTimeout(() => run(...args), ms);
    },
    cancel() {
      clearTimeout(timer);
    },
  };
}

/** The index the arrow keys move focus to among `count` results (-1: back to the search box). */
export function nextIndex(current: number, key: string, count: number): number | null {
  if (count === 0) return null;
  if (key === "ArrowDown") return Math.min(current + 1, count - 1);
  if (key === "ArrowUp") return current <= 0 ? -1 : current - 1;
  if (key === "Home") return 0;
  if (key === "End") return count - 1;
  return null;
}
