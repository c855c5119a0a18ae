/** Which caption track to show, and how a language is named. Pure: the client's unit tests run it
 * without a browser. */

/** The track to show: the viewer's language, else its family ("pt" for "pt-BR"), else the first. */
export function preferredTrack<T extends { lang: string }>(tracks: readonly T[], languages: readonly string[]): T | null {
  const lower = (tag: string): string => tag.toLowerCase();
  const family = (tag: string): string => lower(tag).split("-")[0]!;
  for (const wanted of languages) {
    const exact = tracks.find((t) => lower(t.lang) === lower(wanted));
    if (exact) return exact;
    const near = tracks.find((t) => family(t.lang) === family(wanted));
    if (near) return near;
  }
  return tracks[0] ?? null;
}

/** "English", "português (Brasil)": a language as its speakers name it, or the tag itself. */
export function languageName(tag: string): string {
  try {
    return new Intl.DisplayNames([tag], { type: "language" }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}
