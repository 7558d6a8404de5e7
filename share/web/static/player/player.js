// Kinora's MediaSource player for our CMAF output: reads the HLS master, keeps ~30 s of video
// and audio buffered ahead of the play head (init segment, then media segments, appended one
// at a time per SourceBuffer), and picks the video rendition by throughput and buffer level
// unless the viewer fixed one. Without MediaSource it hands the master to native HLS.
import { parseMaster, parseMedia, splitCodecs } from './hls.js';
import { ThroughputEstimator, chooseVariant } from './abr.js';

const AHEAD = 30;
const BEHIND = 30;

export class PlayerError extends Error {
  constructor(message) {
    super(message);
    this.name = 'PlayerError';
  }
}

async function fetchBytes(url, signal) {
  const response = await fetch(url, { credentials: 'same-origin', signal });
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
  constructor(video, src) {
    super();
    this.video = video;
    this.src = new URL(src, location.href).href;
    this.variants = [];
    this.current = 0; // the video rendition last fetched
    this.fixed = -1; // -1: automatic
    this.throughput = new ThroughputEstimator();
    this.abort = new AbortController();
    this.tracks = [];
    this.waiting = new Set();
  }

  get automatic() { return this.fixed === -1; }

  async start() {
    const master = parseMaster(await (await fetchBytes(this.src, this.abort.signal)).text(), this.src);
    const nativeHLS = this.video.canPlayType('application/vnd.apple.mpegurl');
    const mediaSource = window.MediaSource;
    if (!mediaSource) {
      if (!nativeHLS) throw new PlayerError('This browser can play neither MediaSource streams nor HLS.');
      this.native = true;
      this.video.src = this.src;
      return;
    }
    this.variants = master.variants.filter((variant) => {
      const { video } = splitCodecs(variant.codecs);
      return video.length && mediaSource.isTypeSupported(`video/mp4; codecs="${video[0]}"`);
    });
    if (!this.variants.length) throw new PlayerError('This browser cannot decode any rendition of this video.');
    const first = this.variants[0];
    const audioRendition = first.audioGroup && master.audio[first.audioGroup]
      ? (master.audio[first.audioGroup].find((a) => a.isDefault) || master.audio[first.audioGroup][0]) : null;
    const playlists = await Promise.all(this.variants.map(async (variant) =>
      parseMedia(await (await fetchBytes(variant.uri, this.abort.signal)).text(), variant.uri)));
    this.variants.forEach((variant, i) => { variant.playlist = playlists[i]; });
    const audioPlaylist = audioRendition
      ? parseMedia(await (await fetchBytes(audioRendition.uri, this.abort.signal)).text(), audioRendition.uri) : null;

    this.mediaSource = new mediaSource();
    this.objectURL = URL.createObjectURL(this.mediaSource);
    this.video.src = this.objectURL;
    await new Promise((resolve) => this.mediaSource.addEventListener('sourceopen', resolve, { once: true }));
    this.mediaSource.duration = Math.max(...playlists.map((p) => p.duration), audioPlaylist ? audioPlaylist.duration : 0);

    const codecs = splitCodecs(first.codecs);
    const muxed = !audioPlaylist && codecs.audio.length;
    const videoType = `video/mp4; codecs="${(muxed ? [codecs.video[0], ...codecs.audio] : [codecs.video[0]]).join(',')}"`;
    this.tracks.push({ kind: 'video', sourceBuffer: this.mediaSource.addSourceBuffer(videoType), initFor: null, done: false, flushAt: null });
    if (audioPlaylist && codecs.audio.length) {
      this.tracks.push({ kind: 'audio', playlist: audioPlaylist, sourceBuffer: this.mediaSource.addSourceBuffer(`audio/mp4; codecs="${codecs.audio[0]}"`),
        initFor: null, done: false, flushAt: null });
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
      const index = indexAfter(playlist.segments, end);
      if (index >= playlist.segments.length) {
        track.done = true;
        this.finishIfDone();
        await this.idle();
        continue;
      }
      track.done = false;
      if (ahead > AHEAD) { await this.idle(); continue; }
      // `current` is what is being fetched, so a menu choice equal to it needs no flush.
      if (variant) this.current = choice;
      const initKey = variant ? variant.uri : 'audio';
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
      await this.append(sourceBuffer, data);
      if (now - (sourceBuffer.buffered.length ? sourceBuffer.buffered.start(0) : now) > BEHIND + 10) {
        await operation(sourceBuffer, () => sourceBuffer.remove(0, now - BEHIND));
      }
    }
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
