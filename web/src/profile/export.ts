/**
 * "Download your data" on your own profile: asks for an export, follows it while the server builds
 * it, then offers the archive through its short-lived link. The link is fetched afresh whenever the
 * one shown runs out, so the button always works while the export does.
 */

import { ApiError, describe, get, request } from "../api";
import { h } from "../dom";
import type { Schemas } from "../schemas";
import { exportMessage, type DataExport } from "./display";

/** How often a pending export is asked about. */
const POLL_MS = 2000;

export function dataExportPanel(signal: AbortSignal): HTMLElement {
  const status = h("p", { class: "profile-export-status", role: "status", "aria-live": "polite" });
  const ask = h("button", { class: "button secondary", type: "button" }, "Download your data");
  const link = h("a", { class: "button", download: "", hidden: true }, "Save your data");
  const el = h("section", { class: "profile-export", "aria-label": "Your data" }, ask, link, status);
  let timer: number | undefined;
  signal.addEventListener("abort", () => window.clearTimeout(timer));

  /** Runs `then` in `ms`, unless the view went away or re-rendered without this panel meanwhile. */
  const later = (ms: number, then: () => void): void => {
    window.clearTimeout(timer);
    if (signal.aborted) return;
    timer = window.setTimeout(() => {
      if (el.isConnected) then();
    }, ms);
  };

  async function follow(exportId: string, minPosition?: number): Promise<void> {
    try {
      const query = minPosition ? { min_position: minPosition } : undefined;
      show(await get<DataExport>(`/v1/me/exports/${exportId}`, query, signal));
    } catch (error) {
      if (signal.aborted) return;
      // 503: the exporter has not seen the request yet; anything else, say so and keep trying
      if (!(error instanceof ApiError && error.status === 503)) status.textContent = describe(error);
      later(POLL_MS, () => void follow(exportId, minPosition));
    }
  }

  function show(found: DataExport): void {
    link.hidden = true;
    ask.disabled = found.status === "pending";
    status.textContent = exportMessage(found);
    if (found.status === "pending") {
      later(POLL_MS, () => void follow(found.export_id));
    } else if (found.status === "ready" && found.download_url) {
      link.href = found.download_url;
      link.hidden = false;
      ask.textContent = "Prepare it again";
      // the link works for minutes: fetch a fresh one as it runs out
      const expires = found.download_expires_at ? Date.parse(found.download_expires_at) : NaN;
      if (!Number.isNaN(expires)) later(Math.max(1000, expires - Date.now() - 5000), () => void follow(found.export_id));
    }
  }

  ask.addEventListener("click", async () => {
    ask.disabled = true;
    status.textContent = "Asking…";
    try {
      const asked = await request<Schemas["ExportAccepted"]>("POST", "/v1/me/export");
      await follow(asked.export_id, asked.position);
    } catch (error) {
      ask.disabled = false;
      status.textContent = describe(error);
    }
  });

  // The latest export, if there is one: a pending one is followed, a ready one offered.
  get<Schemas["ExportsPage"]>("/v1/me/exports", { limit: 1 }, signal).then(
    (page) => {
      const latest = page.items[0];
      if (latest && latest.status !== "expired" && latest.status !== "abandoned") show(latest);
    },
    () => undefined,
  );
  return el;
}
