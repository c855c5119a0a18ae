/**
 * Attaching an HLS stream to a `<video>`: hls.js wherever Media Source Extensions exist (it can send
 * the viewer's bearer with every request, which signed URLs of non-public videos need), the browser's
 * own HLS only where hls.js cannot run (older iOS). hls.js is imported on first use: its own chunk.
 */

// The light build: no subtitles, alternate audio or DRM, which Strom does not use; 40 % smaller.
import type Hls from "hls.js";
import type { HlsConfig } from "hls.js";
import { authHeaders } from "../api";

/** "preload": the manifest and the first segment only; "play": buffer as playback needs. */
export type StreamMode = "preload" | "play";

export interface Stream {
  readonly mode: StreamMode;
  /** From preload to full loading; no-op when already playing. */
  play(): void;
  destroy(): void;
}

interface NetworkInformation {
  saveData?: boolean;
  effectiveType?: string;
}

/** Data saver on, or a slow network: start at and stay on the lowest rendition. */
export function constrainedNetwork(): boolean {
  const connection = (navigator as Navigator & { connection?: NetworkInformation }).connection;
  if (!connection) return false;
  return connection.saveData === true || ["slow-2g", "2g", "3g"].includes(connection.effectiveType ?? "");
}

const PRELOAD_BUFFER_S = 4;
const PLAY_BUFFER_S = 30;

let hlsModule: Promise<typeof Hls | null> | null = null;

/**
 * The bandwidth the last stream measured, handed to the next one: a new slide starts at a fitting
 * rendition at once instead of loading a first segment at the lowest one to measure the network.
 */
let bandwidthEstimate: number | null = null;

function loadHls(): Promise<typeof Hls | null> {
  hlsModule ??= import("hls.js/light").then(
    (module) => (module.default.isSupported() ? module.default : null),
    () => {
      hlsModule = null; // a failed chunk load (offline) may succeed later
      return null;
    },
  );
  return hlsModule;
}

/** Fetches hls.js while the feed's first page is still loading, so the first video need not wait for it. */
export function warmUp(): void {
  if (hasMse()) void loadHls();
}

function nativeHls(video: HTMLVideoElement): boolean {
  return video.canPlayType("application/vnd.apple.mpegurl") !== "";
}

function hasMse(): boolean {
  return "MediaSource" in window || "ManagedMediaSource" in window;
}

function sameOrigin(url: string): boolean {
  try {
    return new URL(url, location.href).origin === location.origin;
  } catch {
    return false;
  }
}

export class PlaybackError extends Error {}

/**
 * Starts loading `url` into `video`. `onFatal` is told when the stream cannot go on (the caller shows
 * an error and may attach again).
 */
export async function openStream(
  video: HTMLVideoElement,
  url: string,
  mode: StreamMode,
  onFatal: (message: string) => void,
): Promise<Stream> {
  // Without MSE hls.js cannot run: skip its download and use the platform's HLS.
  const Hls = hasMse() ? await loadHls() : null;
  if (Hls) return hlsStream(Hls, video, url, mode, onFatal);
  if (nativeHls(video)) return nativeStream(video, url, mode, onFatal);
  throw new PlaybackError("This browser cannot play this video");
}

function hlsStream(
  HlsClass: typeof Hls,
  video: HTMLVideoElement,
  url: string,
  initial: StreamMode,
  onFatal: (message: string) => void,
): Stream {
  const slow = constrainedNetwork();
  const config: Partial<HlsConfig> = {
    autoStartLoad: false,
    capLevelToPlayerSize: true,
    startLevel: slow ? 0 : -1,
    maxBufferLength: initial === "preload" ? PRELOAD_BUFFER_S : PLAY_BUFFER_S,
    backBufferLength: 10,
    testBandwidth: bandwidthEstimate === null,
    ...(bandwidthEstimate !== null ? { abrEwmaDefaultEstimate: bandwidthEstimate } : {}),
    xhrSetup: (xhr: XMLHttpRequest, requestUrl: string) => {
      if (!sameOrigin(requestUrl)) return;
      if (xhr.readyState === 0) xhr.open("GET", requestUrl, true);
      for (const [name, value] of Object.entries(authHeaders())) xhr.setRequestHeader(name, value);
    },
  };
  const hls = new HlsClass(config);
  let mode: StreamMode = initial;
  let parsed = false;
  let firstFragment = false;
  let destroyed = false;
  let networkRetries = 0;

  hls.on(HlsClass.Events.MANIFEST_PARSED, () => {
    parsed = true;
    if (slow) hls.autoLevelCapping = 0;
    // A preloaded video fetches one segment at one rendition: left to adapt, hls.js may fetch that
    // first segment again at another rendition before it stops. Playing hands the choice back.
    if (mode === "preload") hls.loadLevel = slow ? 0 : Math.max(0, hls.nextAutoLevel);
    hls.startLoad(0);
  });
  hls.on(HlsClass.Events.FRAG_BUFFERED, () => {
    if (firstFragment) return;
    firstFragment = true;
    // The next slide is ready to show its first frame at once; nothing more loads until it plays.
    if (mode === "preload") hls.stopLoad();
  });
  hls.on(HlsClass.Events.FRAG_LOADED, () => {
    if (Number.isFinite(hls.bandwidthEstimate) && hls.bandwidthEstimate > 0) bandwidthEstimate = hls.bandwidthEstimate;
  });
  hls.on(HlsClass.Events.ERROR, (_event, data) => {
    if (!data.fatal || destroyed) return;
    if (data.type === HlsClass.ErrorTypes.NETWORK_ERROR && networkRetries < 2) {
      networkRetries += 1;
      hls.startLoad();
      return;
    }
    if (data.type === HlsClass.ErrorTypes.MEDIA_ERROR && networkRetries < 2) {
      networkRetries += 1;
      hls.recoverMediaError();
      return;
    }
    onFatal(data.type === HlsClass.ErrorTypes.NETWORK_ERROR ? "The video could not be loaded" : "The video cannot be played");
  });
  hls.attachMedia(video);
  hls.loadSource(url);

  return {
    get mode() {
      return mode;
    },
    play() {
      if (mode === "play" || destroyed) return;
      mode = "play";
      hls.config.maxBufferLength = PLAY_BUFFER_S;
      if (parsed) hls.loadLevel = -1;
      // Before the manifest is parsed, MANIFEST_PARSED starts loading and nothing stops it now.
      if (parsed && firstFragment) hls.startLoad();
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      hls.destroy();
      video.removeAttribute("src");
      video.load();
    },
  };
}

function nativeStream(
  video: HTMLVideoElement,
  url: string,
  initial: StreamMode,
  onFatal: (message: string) => void,
): Stream {
  let mode: StreamMode = initial;
  const onError = (): void => onFatal("The video cannot be played");
  video.addEventListener("error", onError);
  video.preload = initial === "preload" ? "metadata" : "auto";
  video.src = url;
  return {
    get mode() {
      return mode;
    },
    play() {
      mode = "play";
      video.preload = "auto";
    },
    destroy() {
      video.removeEventListener("error", onError);
      video.removeAttribute("src");
      video.load();
    },
  };
}
