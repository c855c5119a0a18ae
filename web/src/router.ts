/** History-API routing: real URLs (`/u/<id>`, `/v/<id>`) that the API answers with the app's page. */

export interface View {
  /** The element the shell shows in its main area. */
  el: HTMLElement;
  /** Stops players, timers and listeners when the view is left. */
  destroy?(): void;
  /** The document title while the view is shown. */
  title?: string;
}

export type Params = Record<string, string>;
type Factory = (params: Params) => View;

interface Route {
  pattern: RegExp;
  names: string[];
  make: Factory;
}

const routes: Route[] = [];
type Listener = (view: View, path: string) => void;
let show: Listener = () => undefined;

/** `route("/u/:userId", ({ userId }) => profileView(userId))`. */
export function route(path: string, make: Factory): void {
  const names: string[] = [];
  const source = path.replace(/:([a-zA-Z]+)/g, (_, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  routes.push({ pattern: new RegExp(`^${source}/?$`), names, make });
}

export function navigate(path: string, replace = false): void {
  if (path === location.pathname + location.search) return;
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  render();
}

/** Starts routing: renders the current URL, follows back/forward and same-origin `<a>` clicks. */
export function start(onView: Listener, fallback: Factory): void {
  show = onView;
  routes.push({ pattern: /.*/, names: [], make: fallback });
  window.addEventListener("popstate", render);
  document.addEventListener("click", (event) => {
    const link = (event.target as Element | null)?.closest?.("a");
    if (!link || link.target || link.hasAttribute("download") || event.defaultPrevented) return;
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith("/v1/")) return;
    event.preventDefault();
    navigate(url.pathname + url.search);
  });
  render();
}

function render(): void {
  const path = location.pathname;
  for (const { pattern, names, make } of routes) {
    const match = pattern.exec(path);
    if (!match) continue;
    const params: Params = {};
    names.forEach((name, i) => (params[name] = decodeURIComponent(match[i + 1] ?? "")));
    show(make(params), path);
    return;
  }
}
