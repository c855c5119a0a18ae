/**
 * One slide of the feed: a full-height `<article class="slide">` with its video, the caption overlay,
 * the action rail, the seek bar and the sound button. Details are read lazily (the feed asks for the
 * slide in view and the next one); the stream is attached when the slide is next (preload: manifest
 * and first segment) or active (play), and detached when it is far away.
 */

import { ApiError, profileOf, videoDetails, type Profile, type VideoDetails } from "../api";
import { h } from "../dom";
import { captionNodes } from "../hashtags";
import { Captions, captionsOn, onCaptionsChange, setCaptionsOn } from "../player/captions";
import { openStream, PlaybackError, type Stream, type StreamMode } from "../player/hls";
import { isMuted, onMuteChange, setMuted } from "../player/mute";
import { progressBar, type ProgressBar } from "../player/progress";
import { nextSpeed, onSpeedChange, playbackSpeed, setPlaybackSpeed, speedLabel, type Speed } from "../player/speed";
import { WatchSession } from "../signals";
import { scheduleNote } from "../upload/schedule";
import { errorState } from "../ui";
import { icon } from "./icons";
import { actionRail, type Rail } from "./rail";

export interface SlideEntry {
  video_id: string;
  owner_id: string;
  /** Why the feed shows it, when the feed says. */
  reason?: string | null;
  /** Already read (the single-video page reads them to tell a missing video apart). */
  details?: VideoDetails;
}

/** Single and double taps share their first click: a single tap waits this long for a second. */
const DOUBLE_TAP_MS = 260;
const HEART_MS = 900;
/** Signed playback URLs are refreshed when they expire within this margin. */
const URL_MARGIN_MS = 60_000;

type LoadState = "idle" | "loading" | "ready" | "error" | "gone";

export class Slide {
  readonly el: HTMLElement;
  readonly videoId: string;
  readonly ownerId: string;
  private readonly reason: string | null;
  details: VideoDetails | null = null;

  private readonly video: HTMLVideoElement;
  private readonly media: HTMLElement;
  private readonly status: HTMLElement;
  private readonly overlay: HTMLElement;
  private readonly muteButton: HTMLButtonElement;
  private readonly speedButton: HTMLButtonElement;
  private readonly ccButton: HTMLButtonElement;
  private captions: Captions | null = null;
  private state: LoadState = "idle";
  private loading: Promise<boolean> | null = null;
  private rail: Rail | null = null;
  private progress: ProgressBar | null = null;
  private stream: Stream | null = null;
  private attaching: Promise<void> | null = null;
  private wantedMode: StreamMode | null = null;
  private session: WatchSession | null = null;
  private active = false;
  private userPaused = false;
  private blocked = false;
  private tapTimer: number | null = null;
  private destroyed = false;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    entry: SlideEntry,
    /** Told when the video turns out to be gone or not visible to this viewer (404/403). */
    private readonly onGone: (slide: Slide) => void,
  ) {
    this.videoId = entry.video_id;
    this.ownerId = entry.owner_id;
    this.reason = entry.reason ?? null;
    this.video = h("video", {
      playsinline: true,
      "webkit-playsinline": true,
      muted: true,
      preload: "none",
      disablepictureinpicture: true,
    });
    this.video.muted = isMuted();
    this.video.defaultMuted = true;
    this.status = h("div", { class: "slide-status" });
    this.media = h("div", { class: "slide-media", onclick: (event: Event) => this.onTap(event as MouseEvent) },
      this.video,
      h("div", { class: "play-indicator", "aria-hidden": "true" }, icon("play")),
    );
    this.muteButton = h("button", {
      type: "button",
      class: "mute-button",
      onclick: () => setMuted(!this.video.muted),
    });
    this.renderMute(isMuted());
    this.speedButton = h("button", {
      type: "button",
      class: "slide-pill speed-button",
      onclick: () => setPlaybackSpeed(nextSpeed(playbackSpeed())),
    });
    this.applySpeed(playbackSpeed());
    this.ccButton = h("button", {
      type: "button",
      class: "slide-pill cc-button",
      hidden: true,
      onclick: () => setCaptionsOn(!captionsOn()),
    }, "CC");
    this.renderCaptions(captionsOn());
    this.overlay = h("div", { class: "slide-overlay" });
    this.el = h("article", {
      class: "slide",
      "data-video-id": this.videoId,
      "aria-label": "Video",
      "aria-busy": "true",
    }, this.media, this.status, this.overlay, this.muteButton, this.speedButton, this.ccButton);

    const on = (name: string, fn: () => void): void => {
      this.video.addEventListener(name, fn);
    };
    on("ended", () => this.onEnded());
    on("playing", () => {
      this.el.classList.add("started");
      this.blocked = false;
      this.renderPaused();
    });
    on("loadeddata", () => this.el.classList.add("has-frame"));
    // Loading a source resets the rate to the default one; the chosen speed holds through it.
    on("loadedmetadata", () => this.applySpeed(playbackSpeed()));
    this.cleanups.push(onSpeedChange((speed) => this.applySpeed(speed)));
    this.cleanups.push(onCaptionsChange((on) => this.renderCaptions(on)));
    this.cleanups.push(onMuteChange((muted) => {
      this.video.muted = muted;
      this.renderMute(muted);
    }));
    if (entry.details) {
      this.details = entry.details;
      this.render(entry.details);
      this.state = "ready";
    }
  }

  // ---- details ----

  /** Reads the details once (again after an error). False when the video is gone for this viewer. */
  load(fresh = false): Promise<boolean> {
    if (this.state === "gone") return Promise.resolve(false);
    if (this.state === "ready" && !fresh) return Promise.resolve(true);
    this.loading ??= this.fetch().finally(() => (this.loading = null));
    return this.loading;
  }

  private async fetch(): Promise<boolean> {
    const first = this.state !== "ready";
    if (first) {
      this.state = "loading";
      this.status.replaceChildren(h("span", { class: "spinner", "aria-hidden": "true" }));
    }
    let details: VideoDetails;
    try {
      details = await videoDetails(this.videoId);
    } catch (error) {
      if (this.destroyed) return false;
      if (error instanceof ApiError && (error.status === 404 || error.status === 403 || error.status === 410)) {
        this.state = "gone";
        this.onGone(this);
        return false;
      }
      if (!first) return true; // the old details still show; the stream may still play
      this.state = "error";
      this.status.replaceChildren(errorState(error, () => void this.retry()));
      return false;
    }
    if (this.destroyed) return false;
    this.details = details;
    if (first) this.render(details);
    this.state = "ready";
    return true;
  }

  private async retry(): Promise<void> {
    if (await this.load()) {
      if (this.active) this.activate();
      else if (this.wantedMode) void this.attach(this.wantedMode);
    }
  }

  private render(details: VideoDetails): void {
    this.el.removeAttribute("aria-busy");
    this.status.replaceChildren();
    if (details.playback.poster) this.video.poster = details.playback.poster;
    const { width, height } = details.media;
    if (width && height) this.el.dataset.shape = height > width ? "portrait" : "landscape";
    const durationS = details.media.duration_ms ? details.media.duration_ms / 1000 : null;
    this.progress = progressBar(this.video, durationS);
    this.rail = actionRail(details);

    const handleLink = h("a", { class: "slide-handle", href: `/u/${details.owner_id}` }, "@…");
    const caption = h("p", { class: "slide-caption" }, ...captionNodes(details.caption, details.hashtags));
    const reason = this.reason ? h("p", { class: "slide-reason" }, this.reason) : null;
    const scheduled = scheduleNote(details);
    this.overlay.replaceChildren(h("div", { class: "slide-info" }, scheduled, reason, handleLink, caption), this.rail.el);
    this.captions = new Captions(this.video, details.captions ?? []);
    if (this.captions.available) {
      this.el.append(this.captions.el);
      this.ccButton.hidden = false;
      this.renderCaptions(captionsOn());
    }
    this.el.append(this.progress.el);
    this.label(null);

    if (!details.playback.master_playlist) {
      const status = details.processing?.status;
      const text = status === "failed" || status === "rejected" ? "This video could not be processed." : "This video is not ready yet.";
      this.status.replaceChildren(h("div", { class: "slide-message", role: "status" }, text));
    }

    profileOf(details.owner_id).then(
      (profile) => {
        if (this.destroyed) return;
        handleLink.textContent = profile.handle ? `@${profile.handle}` : "@creator";
        this.rail?.setProfile(profile);
        this.label(profile);
      },
      () => {
        handleLink.textContent = "@creator";
      },
    );
  }

  private label(profile: Profile | null): void {
    const caption = this.details?.caption?.trim();
    const who = profile?.handle ? `Video by @${profile.handle}` : "Video";
    this.el.setAttribute("aria-label", caption ? `${who}: ${caption}` : who);
  }

  // ---- playback ----

  /** Loads the stream: "preload" for the next slide, "play" for the active one. */
  async attach(mode: StreamMode): Promise<void> {
    if (this.wantedMode !== "play") this.wantedMode = mode;
    if (this.stream) {
      if (this.wantedMode === "play") this.stream.play();
      return;
    }
    if (this.attaching) return this.attaching;
    this.attaching = this.open().finally(() => (this.attaching = null));
    return this.attaching;
  }

  private async open(): Promise<void> {
    if (!(await this.load())) return;
    const expires = this.details?.playback.expires_at;
    if (expires && Date.parse(expires) - URL_MARGIN_MS < Date.now()) await this.load(true);
    const url = this.details?.playback.master_playlist;
    if (!url || this.destroyed || !this.wantedMode) return;
    try {
      const stream = await openStream(this.video, url, this.wantedMode, (message) => this.fail(message));
      if (this.destroyed || !this.wantedMode) {
        stream.destroy();
        return;
      }
      this.stream = stream;
      if (this.wantedMode === "play") stream.play();
    } catch (error) {
      this.fail(error instanceof PlaybackError ? error.message : "The video could not be loaded");
    }
  }

  private fail(message: string): void {
    this.detach();
    this.status.replaceChildren(
      h("div", { class: "slide-message", role: "alert" },
        h("p", {}, message),
        h("button", {
          type: "button",
          class: "button",
          onclick: () => {
            this.status.replaceChildren();
            if (this.active) this.activate();
            else void this.attach("preload");
          },
        }, "Try again"),
      ),
    );
  }

  /** Frees the decoder and buffers (the slide is far from the one in view). */
  detach(): void {
    this.wantedMode = null;
    this.stream?.destroy();
    this.stream = null;
    this.el.classList.remove("has-frame", "started");
  }

  get attached(): boolean {
    return this.stream !== null || this.attaching !== null;
  }

  activate(): void {
    this.active = true;
    this.userPaused = false;
    this.el.dataset.active = "true";
    this.renderPaused();
    this.session ??= new WatchSession(this.videoId, this.video);
    void this.attach("play").then(() => {
      if (this.active && this.stream && !this.userPaused) this.play();
    });
  }

  deactivate(): void {
    this.active = false;
    delete this.el.dataset.active;
    this.clearTap();
    this.video.pause();
    this.session?.end();
    this.session = null;
    this.blocked = false;
    this.renderPaused();
  }

  private play(): void {
    this.video.muted = isMuted();
    this.video.play().catch((error: unknown) => {
      if (!(error instanceof DOMException) || error.name !== "NotAllowedError" || !this.active) return;
      if (!this.video.muted) {
        // Sound needs a gesture first: play muted, and the button says so.
        setMuted(true);
        this.video.play().catch(() => this.showBlocked());
      } else {
        this.showBlocked();
      }
    });
  }

  private showBlocked(): void {
    this.blocked = true;
    this.renderPaused();
  }

  togglePause(): void {
    if (!this.active) return;
    if (this.video.paused) {
      this.userPaused = false;
      this.blocked = false;
      if (this.stream) this.play();
      else void this.attach("play").then(() => this.active && this.play());
    } else {
      this.userPaused = true;
      this.video.pause();
    }
    this.renderPaused();
  }

  private onEnded(): void {
    this.session?.completed();
    this.video.currentTime = 0;
    if (this.active && !this.userPaused) this.play();
  }

  private renderPaused(): void {
    const paused = this.active && (this.userPaused || this.blocked);
    this.el.toggleAttribute("data-paused", paused);
  }

  private renderMute(muted: boolean): void {
    this.muteButton.setAttribute("aria-label", muted ? "Unmute" : "Mute");
    this.muteButton.replaceChildren(icon(muted ? "muted" : "sound"));
  }

  /** The CC button says whether captions show; the track is fetched the first time they do. */
  private renderCaptions(on: boolean): void {
    this.ccButton.setAttribute("aria-pressed", String(on));
    this.ccButton.setAttribute("aria-label", "Captions");
    this.captions?.show(on);
  }

  private applySpeed(speed: Speed): void {
    this.video.defaultPlaybackRate = speed;
    this.video.playbackRate = speed;
    this.speedButton.textContent = speedLabel(speed);
    this.speedButton.setAttribute("aria-label", `Playback speed ${speedLabel(speed)}`);
    this.speedButton.dataset.speed = String(speed);
  }

  // ---- taps ----

  private onTap(event: MouseEvent): void {
    if (this.tapTimer !== null) {
      this.clearTap();
      this.doubleTap(event);
      return;
    }
    this.tapTimer = window.setTimeout(() => {
      this.tapTimer = null;
      this.togglePause();
    }, DOUBLE_TAP_MS);
  }

  private clearTap(): void {
    if (this.tapTimer !== null) window.clearTimeout(this.tapTimer);
    this.tapTimer = null;
  }

  private doubleTap(event: MouseEvent): void {
    if (!this.rail || !this.rail.like()) return;
    const box = this.media.getBoundingClientRect();
    const x = event.clientX ? event.clientX - box.left : box.width / 2;
    const y = event.clientY ? event.clientY - box.top : box.height / 2;
    const heart = h("div", { class: "heart-burst", "aria-hidden": "true" }, icon("heart"));
    heart.style.left = `${x}px`;
    heart.style.top = `${y}px`;
    this.media.append(heart);
    window.setTimeout(() => heart.remove(), HEART_MS);
  }

  destroy(): void {
    this.destroyed = true;
    this.deactivate();
    this.detach();
    this.progress?.destroy();
    this.rail?.destroy();
    this.captions?.destroy();
    for (const cleanup of this.cleanups) cleanup();
  }
}
