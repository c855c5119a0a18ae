/** The shell: routes, the bottom navigation, the offline banner and the toast region. */

import "./styles.css";
import { authView } from "./auth/view";
import { h } from "./dom";
import { feedView, videoView } from "./feed/view";
import { discoveryRoutes } from "./discover/view";
import { caseView } from "./moderation/case";
import { queueView } from "./moderation/queue";
import { standingView } from "./moderation/standing";
import { noticesView } from "./notices/view";
import { inboxLink, inboxRoutes } from "./notifications/view";
import { profileView } from "./profile/view";
import { route, start, type View } from "./router";
import { currentSession, onSessionChange } from "./session";
import { transparencyView } from "./transparency/view";
import { emptyState } from "./ui";
import { coverView } from "./upload/cover";
import { resumePendingUploads, uploadView } from "./upload/view";

const main = h("main", { id: "view", tabindex: "-1" });
const nav = h("nav", { class: "bottom-nav", "aria-label": "Main" });
const offline = h("div", { class: "offline-banner", role: "status", hidden: true }, "You are offline");
let current: View | null = null;

route("/", () => feedView("for-you"));
route("/following", () => feedView("following"));
route("/v/:videoId", ({ videoId }) => videoView(videoId!));
route("/v/:videoId/cover", ({ videoId }) => coverView(videoId!));
route("/u/:userId", ({ userId }) => profileView(userId!));
route("/upload", () => uploadView());
route("/signin", () => authView("signin"));
route("/signup", () => authView("signup"));
route("/notices", () => noticesView());
route("/moderation", () => queueView());
route("/moderation/cases/:caseId", ({ caseId }) => caseView(caseId!));
route("/moderation/users/:userId", ({ userId }) => standingView(userId!));
route("/transparency", () => transparencyView());
discoveryRoutes();
inboxRoutes();

function show(view: View, path: string): void {
  current?.destroy?.();
  current = view;
  main.replaceChildren(view.el);
  document.title = view.title ? `${view.title} · Strom` : "Strom";
  renderNav(path);
}

function renderNav(path: string): void {
  const session = currentSession();
  const link = (href: string, label: string, icon: string, active: boolean): HTMLElement =>
    h("a", { href, class: active ? "active" : "", "aria-current": active ? "page" : null },
      h("span", { class: "icon", "aria-hidden": "true" }, icon),
      h("span", {}, label),
    );
  const me = session ? `/u/${session.userId}` : "/signin";
  nav.replaceChildren(
    link("/", "Home", "⌂", path === "/" || path === "/following" || path.startsWith("/v/")),
    link("/discover", "Discover", "⌕", path === "/discover" || path.startsWith("/tag/")),
    link("/upload", "Upload", "+", path === "/upload"),
    inboxLink(path) ?? "",
    link(me, session ? "Profile" : "Sign in", "☺", path === me),
  );
}

function notFound(): View {
  return { el: emptyState("Not found", "There is nothing at this address.", { label: "Go home", href: "/" }), title: "Not found" };
}

function watchConnection(): void {
  const update = (): void => {
    offline.hidden = navigator.onLine;
  };
  window.addEventListener("online", update);
  window.addEventListener("offline", update);
  update();
}

document.getElementById("app")!.append(
  offline,
  main,
  nav,
  h("div", { id: "toasts", class: "toasts", role: "status", "aria-live": "polite" }),
);
watchConnection();
onSessionChange(() => renderNav(location.pathname));
start(show, notFound);
resumePendingUploads();
