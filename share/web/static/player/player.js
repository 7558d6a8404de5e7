// Kinora's MediaSource player for our CMAF output: reads the HLS master or the DASH MPD
// (manifest.js gives both one model), keeps ~30 s of video
// and audio buffered ahead of the play head (init segment, then media segments, appended one
// at a time per SourceBuffer), and picks the video rendition by throughput and buffer level
// unless the viewer fixed one. A growing (EVENT) playlist is followed to its real end: see
// follow(). Without MediaSource it hands the master to native HLS, which follows one itself.
import { loadManifest, refreshPlaylist } from './manifest.js';
import { ThroughputEstimator, chooseVariant } from './abr.js';

const AHEAD = 30;
const BEHIND = 30;

export class PlayerError extends Error {
  constructor(message) {
    super(message);
    this.name = 'PlayerError';
  }
}

async function fetchBytes(url, signal, cache = 'default') {
  const response = await fetch(url, { credentials: 'same-origin', signal, cache });
  if (!response.ok) throw new PlayerError(response.status === 404 ? 'This video is not available.' : `The server answered ${response.status} for a part of the video.`);
  return response;
}

function bufferedEnd(sourceBuffer, time) {
  const ranges = sourceBuffer.buffered;
  for (let i = 0; i < ranges.length; i++) {
    if (time >= ranges.start(i) - 0.25 && time <= ranges.end(i)) return ranges.end(i);
  }
  return time;
}

/// The segment playing at `time`.
function indexAt(segments, time) {
  const index = segments.findIndex((segment) => segment.start + segment.duration > time);
  return index === -1 ? segments.length : index;
}

/// The first segment that is not (mostly) before `time`: a buffered end a few ms short of a
/// boundary (audio frames do not land on it exactly) must not fetch the same segment again.
function indexAfter(segments, time) {
  const index = segments.findIndex((segment) => segment.start + segment.duration / 2 > time);
  return index === -1 ? segments.length : index;
}

function operation(sourceBuffer, start) {
  return new Promise((resolve, reject) => {
    const done = () => { sourceBuffer.removeEventListener('error', failed); resolve(); };
    const failed = () => { sourceBuffer.removeEventListener('updateend', done); reject(new PlayerError('The browser could not decode this video.')); };
    sourceBuffer.addEventListener('updateend', done, { once: true });
    sourceBuffer.addEventListener('error', failed, { once: true });
    start();
  });
}

export class KinoraPlayer extends EventTarget {
  /// `format`: 'hls' (the master playlist) or 'dash' (the MPD) — what `src` points at.
  constructor(video, src, format = 'hls') {
    super();
    this.video = video;
    this.src = new URL(src, location.href).href;
    this.format = format === 'dash' ? 'dash' : 'hls';
    this.variants = [];
    this.current = 0; // the video rendition last fetched
    this.fixed = -1; // -1: automatic
    this.throughput = new ThroughputEstimator();
    this.abort = new AbortController();
    this.tracks = [];
    this.audioTracks = [];
    this.audioIndex = -1; // the audio rendition playing, an index into `audioTracks`
    this.waiting = new Set();
    this.hidden = false; // the page is being unloaded or put in the back/forward cache
  }

  get automatic() { return this.fixed === -1; }

  async start() {
    const mediaSource = window.MediaSource;
    if (!mediaSource) {
      // Native playback takes the HLS master only (Safari on iOS has no MediaSource).
      if (this.format !== 'hls' || !this.video.canPlayType('application/vnd.apple.mpegurl')) {
        throw new PlayerError('This browser can play neither MediaSource streams nor HLS.');
      }
      await fetchBytes(this.src, this.abort.signal); // a missing video says so instead of a blank box
      this.native = true;
      this.video.src = this.src;
      return;
    }
    const fetchText = async (url) => (await fetchBytes(url, this.abort.signal)).text();
    const supported = (codec) => mediaSource.isTypeSupported(`video/mp4; codecs="${codec}"`);
    const supportedAudio = (codec) => mediaSource.isTypeSupported(`audio/mp4; codecs="${codec}"`);
    let manifest;
    try {
      manifest = await loadManifest(this.src, this.format, fetchText, supported, supportedAudio);
    } catch (error) {
      if (error instanceof PlayerError || error.name === 'AbortError') throw error;
      throw new PlayerError(`The video's ${this.format === 'dash' ? 'DASH' : 'HLS'} manifest could not be read (${error.message}).`);
    }
    this.variants = manifest.variants;
    this.audioTracks = manifest.audioTracks;
    this.audioIndex = manifest.audioIndex;
    if (!this.variants.length) throw new PlayerError('This browser cannot decode any rendition of this video.');
    const loaded = performance.now();
    for (const playlist of this.playlists()) playlist.loadedAt = loaded;
    // A page put away stops reloading growing playlists; one shown again (back/forward cache)
    // goes on. The signal drops these listeners with the player.
    window.addEventListener('pagehide', () => { this.hidden = true; }, { signal: this.abort.signal });
    window.addEventListener('pageshow', () => { this.hidden = false; this.poke(); }, { signal: this.abort.signal });

    this.mediaSource = new mediaSource();
    this.objectURL = URL.createObjectURL(this.mediaSource);
    this.video.src = this.objectURL;
    await new Promise((resolve) => this.mediaSource.addEventListener('sourceopen', resolve, { once: true }));
    this.mediaSource.duration = manifest.duration;

    const videoCodecs = [this.variants[0].codecs[0], ...manifest.muxedAudio];
    this.tracks.push({ kind: 'video', sourceBuffer: this.mediaSource.addSourceBuffer(`video/mp4; codecs="${videoCodecs.join(',')}"`),
      initFor: null, done: false, flushAt: null });
    const audio = this.audioTracks[this.audioIndex];
    if (audio) {
      this.tracks.push({ kind: 'audio', playlist: audio.playlist, codecs: audio.codecs,
        sourceBuffer: this.mediaSource.addSourceBuffer(`audio/mp4; codecs="${audio.codecs}"`), initFor: null, done: false, flushAt: null,
        switchAt: null, resumeAt: null });
    }
    for (const text of manifest.textTracks) {
      // The page may already carry the video's captions as <track> elements.
      if ([...this.video.querySelectorAll('track')].some((t) => t.srclang === text.language)) continue;
      const track = document.createElement('track');
      Object.assign(track, { kind: 'subtitles', src: text.uri, srclang: text.language, label: text.label, default: Boolean(text.isDefault) });
      this.video.append(track);
    }
    for (const event of ['timeupdate', 'seeking', 'play']) this.video.addEventListener(event, () => this.poke());
    for (const track of this.tracks) {
      this.feed(track).catch((error) => {
        if (error.name === 'AbortError') return;
        this.dispatchEvent(Object.assign(new Event('error'), { error }));
      });
    }
  }

  /// -1 for automatic, else an index into `variants`. A choice that changes the rendition
  /// (Auto included, when the estimate says so) replaces what is buffered beyond the current
  /// segment, so the change shows within seconds.
  setQuality(index) {
    this.fixed = index;
    const video = this.tracks.find((t) => t.kind === 'video');
    if (!video) return;
    const ahead = bufferedEnd(video.sourceBuffer, this.video.currentTime) - this.video.currentTime;
    const target = index >= 0 ? index : chooseVariant(this.variants, this.current, this.throughput.estimate, ahead);
    if (target !== this.current) {
      const segments = this.variants[target].playlist.segments;
      const next = segments[indexAfter(segments, this.video.currentTime + 0.1)];
      if (next) video.flushAt = next.start;
    }
    this.poke();
  }

  /// Plays the audio rendition `index` of `audioTracks` from the play head on: what is buffered
  /// of the previous one ahead of it is dropped and the new one's segment at that time is
  /// appended from exactly there, so the language changes at once, not at the next segment.
  setAudioTrack(index) {
    if (index === this.audioIndex || !this.audioTracks[index]) return;
    this.audioIndex = index;
    const audio = this.tracks.find((t) => t.kind === 'audio');
    if (audio) {
      audio.playlist = this.audioTracks[index].playlist;
      audio.switchAt = this.video.currentTime;
    }
    this.dispatchEvent(new Event('audiochange'));
    this.poke();
  }

  /// Wakes every track loop waiting in `idle` (each track waits on its own promise).
  poke() {
    const waiting = this.waiting;
    this.waiting = new Set();
    for (const wake of waiting) wake();
  }

  idle() {
    return new Promise((resolve) => {
      this.waiting.add(resolve);
      setTimeout(() => { if (this.waiting.delete(resolve)) resolve(); }, 500);
    });
  }

  async feed(track) {
    const { sourceBuffer } = track;
    while (!this.abort.signal.aborted) {
      if (track.flushAt !== null) {
        const from = track.flushAt;
        track.flushAt = null;
        if (from < this.mediaSource.duration) await operation(sourceBuffer, () => sourceBuffer.remove(from, Infinity));
      }
      if (track.switchAt != null) await this.switchAudio(track);
      const now = this.video.currentTime;
      const end = bufferedEnd(sourceBuffer, now);
      const ahead = end - now;
      let variant = null;
      let choice = this.current;
      let playlist = track.playlist;
      if (track.kind === 'video') {
        choice = this.automatic ? chooseVariant(this.variants, this.current, this.throughput.estimate, ahead) : this.fixed;
        variant = this.variants[choice];
        playlist = variant.playlist;
      }
      // Also the playlist just switched to: it was last read when the player started.
      if (playlist.live) await this.follow(playlist);
      this.extendDuration();
      const index = track.resumeAt != null ? indexAt(playlist.segments, track.resumeAt) : indexAfter(playlist.segments, end);
      if (index >= playlist.segments.length) {
        // The end of a growing playlist is not the video's: the play head waits there (the
        // element shows it is buffering) for what the next reload brings.
        track.done = !playlist.live;
        this.finishIfDone();
        await this.idle();
        continue;
      }
      track.done = false;
      if (ahead > AHEAD && track.resumeAt == null) { await this.idle(); continue; }
      // `current` is what is being fetched, so a menu choice equal to it needs no flush.
      if (variant) this.current = choice;
      const initKey = playlist.init;
      if (track.initFor !== initKey) {
        const init = await (await fetchBytes(playlist.init, this.abort.signal)).arrayBuffer();
        await this.append(sourceBuffer, init);
        track.initFor = initKey;
        if (variant) this.dispatchEvent(new Event('renditionchange'));
      }
      const segment = playlist.segments[index];
      const started = performance.now();
      const data = await (await fetchBytes(segment.uri, this.abort.signal)).arrayBuffer();
      if (track.kind === 'video') this.throughput.add(data.byteLength, performance.now() - started);
      if (track.resumeAt != null) {
        // Only from the switch on: the part of the segment before it was heard in the old language.
        sourceBuffer.appendWindowStart = track.resumeAt;
        try { await this.append(sourceBuffer, data); } finally { sourceBuffer.appendWindowStart = 0; }
        track.resumeAt = null;
        this.dispatchEvent(new Event('audioswitched'));
        continue;
      }
      await this.append(sourceBuffer, data);
      if (now - (sourceBuffer.buffered.length ? sourceBuffer.buffered.start(0) : now) > BEHIND + 10) {
        await operation(sourceBuffer, () => sourceBuffer.remove(0, now - BEHIND));
      }
    }
  }

  /// Reloads a growing playlist when due: every half target duration (our packager adds
  /// segments faster than real time), at most once a second, not while the page is put away.
  /// The loop that plays it calls this, so a playlist no track plays is not fetched, and one
  /// switched to is brought up to date before its first segment is chosen.
  async follow(playlist) {
    const every = Math.max(1, playlist.targetDuration / 2) * 1000;
    if (this.hidden || performance.now() - playlist.loadedAt < every) return;
    playlist.loadedAt = performance.now();
    // Past any HTTP cache: a reload is there to see what changed.
    await refreshPlaylist(playlist, async (url) => (await fetchBytes(url, this.abort.signal, 'no-store')).text());
  }

  /// Every media playlist of the manifest (video renditions, then audio ones).
  playlists() {
    return [...this.variants.map((v) => v.playlist), ...this.audioTracks.map((t) => t.playlist)];
  }

  /// MediaSource.duration follows the longest known end while playlists grow. It may not be set
  /// while a SourceBuffer is updating: then the next pass of a loop sets it.
  extendDuration() {
    const end = Math.max(...this.playlists().map((p) => p.duration));
    if (end > this.mediaSource.duration && this.mediaSource.readyState === 'open' && !this.tracks.some((t) => t.sourceBuffer.updating)) {
      this.mediaSource.duration = end;
    }
  }

  /// Drops the old language ahead of the play head (a moment later, so what the decoder holds
  /// still plays) and prepares the loop to append the new one from there, with its codec.
  async switchAudio(track) {
    const { sourceBuffer } = track;
    const rendition = this.audioTracks[this.audioIndex];
    const from = Math.max(track.switchAt, this.video.currentTime) + 0.1;
    track.switchAt = null;
    track.initFor = null;
    if (from < this.mediaSource.duration) await operation(sourceBuffer, () => sourceBuffer.remove(from, Infinity));
    if (rendition.codecs !== track.codecs && sourceBuffer.changeType) {
      sourceBuffer.changeType(`audio/mp4; codecs="${rendition.codecs}"`);
      track.codecs = rendition.codecs;
    }
    track.resumeAt = from < this.mediaSource.duration ? from : null;
  }

  /// Appends; when the buffer is full, drops what was played and tries once more.
  async append(sourceBuffer, data) {
    try {
      await operation(sourceBuffer, () => sourceBuffer.appendBuffer(data));
    } catch (error) {
      if (!(error instanceof DOMException && error.name === 'QuotaExceededError')) throw error;
      await operation(sourceBuffer, () => sourceBuffer.remove(0, Math.max(0, this.video.currentTime - 5)));
      await operation(sourceBuffer, () => sourceBuffer.appendBuffer(data));
    }
  }

  /// endOfStream() once every track has appended all of a playlist that has ended.
  finishIfDone() {
    if (this.mediaSource.readyState === 'open' && this.tracks.every((t) => t.done && !t.sourceBuffer.updating)) {
      this.mediaSource.endOfStream();
    }
  }

  destroy() {
    this.abort.abort();
    this.poke();
    if (this.objectURL) URL.revokeObjectURL(this.objectURL);
  }
}
