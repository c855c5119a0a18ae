/**
 * Caption tracks (subtitles) on a slide's `<video>`: one `<track kind="subtitles">` per language the
 * video has, which hls.js and the browser's own HLS both leave to the browser. (hls.js' light build,
 * which Strom plays with, reads no subtitles from a playlist, and the video's playlists never change
 * once made, while its captions may.) The track is fetched with the viewer's bearer, which the
 * signed links of non-public videos need and a `<track src>` cannot send, and given to the element
 * as a `blob:`. Its cues are drawn by the slide, above the caption and the rail, from the track's
 * `activeCues`; the browser parses the file, which Strom already re-wrote to plain text with
 * italics and bold.
 *
 * Whether captions show is one setting for every slide, remembered like the sound and the speed.
 */

import "./captions.css";
import { authHeaders } from "../api";
import { h } from "../dom";
import type { Schemas } from "../schemas";
import { languageName, preferredTrack } from "./languages";

export { languageName } from "./languages";

export type CaptionTrack = Schemas["CaptionTrackOut"];

const KEY = "strom.captions";
type Listener = (on: boolean) => void;
const listeners = new Set<Listener>();

export function captionsOn(): boolean {
  try {
    return localStorage.getItem(KEY) === "on";
  } catch {
    return false;
  }
}

export function setCaptionsOn(on: boolean): void {
  try {
    localStorage.setItem(KEY, on ? "on" : "off");
  } catch {
    // Private mode: the setting lasts for this page only, through the listeners.
  }
  for (const listener of listeners) listener(on);
}

/** Called whenever the setting changes; returns what unsubscribes. */
export function onCaptionsChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function sameOrigin(url: string): boolean {
  try {
    return new URL(url, location.href).origin === location.origin;
  } catch {
    return false;
  }
}

/** A video's caption tracks and the box their cues are drawn in. */
export class Captions {
  /** Where the active cues are drawn; the slide places it. */
  readonly el: HTMLElement;
  private readonly track: HTMLTrackElement | null;
  private readonly chosen: CaptionTrack | null;
  private loading: Promise<void> | null = null;
  private blobUrl: string | null = null;
  private destroyed = false;

  constructor(private readonly video: HTMLVideoElement, tracks: CaptionTrack[]) {
    this.el = h("div", { class: "subtitles", "aria-hidden": "true", hidden: true });
    this.chosen = preferredTrack(tracks.filter((t) => t.url), navigator.languages ?? [navigator.language]);
    this.track = this.chosen
      ? h("track", { kind: "subtitles", srclang: this.chosen.lang, label: languageName(this.chosen.lang) })
      : null;
    if (this.track) {
      this.video.append(this.track);
      this.track.track.mode = "disabled";
      this.track.track.addEventListener("cuechange", () => this.draw());
    }
  }

  get available(): boolean {
    return this.track !== null;
  }

  /** The chosen track's language, while it shows. */
  get showing(): string | null {
    return this.track && this.track.track.mode !== "disabled" ? this.chosen!.lang : null;
  }

  /** Shows the cues (fetching the track the first time) or hides them. */
  show(on: boolean): void {
    if (!this.track) return;
    if (!on) {
      this.track.track.mode = "disabled";
      this.el.hidden = true;
      this.el.replaceChildren();
      return;
    }
    this.loading ??= this.load();
    void this.loading.then(() => {
      if (this.destroyed || !this.track || !captionsOn()) return;
      // "hidden": the browser keeps the cues current and we draw them, above the slide's overlay.
      this.track.track.mode = "hidden";
      this.el.hidden = false;
      this.draw();
    });
  }

  private async load(): Promise<void> {
    const url = this.chosen?.url;
    if (!url || !this.track) return;
    try {
      const response = await fetch(url, { headers: sameOrigin(url) ? authHeaders() : {} });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const blob = new Blob([await response.arrayBuffer()], { type: "text/vtt" });
      if (this.destroyed) return;
      this.blobUrl = URL.createObjectURL(blob);
      this.track.src = this.blobUrl;
    } catch {
      this.loading = null; // offline for a moment: the next time captions are turned on tries again
    }
  }

  private draw(): void {
    if (!this.track || this.track.track.mode === "disabled") return;
    const cues = Array.from(this.track.track.activeCues ?? []);
    this.el.replaceChildren(
      ...cues.map((cue) => h("span", { class: "subtitle-cue" }, cue instanceof VTTCue ? cue.getCueAsHTML() : "")),
    );
  }

  destroy(): void {
    this.destroyed = true;
    this.track?.remove();
    if (this.blobUrl) URL.revokeObjectURL(this.blobUrl);
  }
}
