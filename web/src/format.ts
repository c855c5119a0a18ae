/** Numbers and times as people read them. Pure: the client's unit tests run it without a browser. */

/** Compact counts: 999, 1.2K, 3.4M. */
export function formatCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${trim(n / 1000)}K`;
  return `${trim(n / 1_000_000)}M`;
}

function trim(x: number): string {
  return (x >= 100 ? Math.round(x) : Math.round(x * 10) / 10).toString();
}

/** "3 min ago", "2 d ago": relative times for comments and videos. */
export function timeAgo(iso: string, now: number = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return "just now";
  const steps: [number, string][] = [
    [60, "min"],
    [24, "h"],
    [7, "d"],
    [52, "w"],
  ];
  let value = seconds / 60;
  let unit = "min";
  for (const [size, name] of steps) {
    unit = name;
    if (value < size) break;
    value /= size;
  }
  return `${Math.floor(value)} ${unit} ago`;
}

/** The first letter of a name, for an avatar drawn without a picture: "?" when there is no name. */
export function initialOf(...names: (string | null | undefined)[]): string {
  const name = names.find((n) => n && n.trim()) ?? "?";
  return name.trim().charAt(0).toUpperCase();
}
