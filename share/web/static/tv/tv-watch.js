// TV mode's player: the site's own MediaSource player (player/player.js) full screen, driven
// by a remote. With the control bar hidden: Enter plays/pauses, ←/→ seek 10 s, ↑/↓ show
// the bar, Back returns to the rows. With it shown: ←/→ move between its buttons (play,
// −10 s, +10 s, quality, captions), Enter presses one, ↑/↓ or Back hide it; it hides itself
// after 5 s without a key.
import { KinoraPlayer } from '../player/player.js';
import { qualityLabel, showMessage } from '../player/controls.js';
import { clock } from '../player/trickplay.js';
import { DIRECTIONS, isBack, move, focusItem, rows, goBack } from './focus.js';
import { request, csrfToken } from '../js/api.js';

const SEEK = 10;
const BAR_TIMEOUT = 5000;
const container = document.getElementById('player');
const video = document.getElementById('video');
const bar = document.getElementById('tv-bar');
const osd = document.getElementById('tv-osd');
const progress = document.getElementById('tv-progress');
const time = document.getElementById('tv-time');
const buttons = Object.fromEntries([...(bar?.querySelectorAll('[data-action]') ?? [])].map((b) => [b.dataset.action, b]));
let player = null;
let hideTimer = null;
let osdTimer = null;

/// When the picture started, for the tests' and the README's time to first frame.
window.kinoraTV = { playing: null };
video?.addEventListener('playing', (event) => { window.kinoraTV.playing ??= performance.timeOrigin + event.timeStamp; }, { once: true });

function fail(error) {
  showMessage(container, error?.name === 'PlayerError' ? error.message
    : `The video could not be played${error?.message ? `: ${error.message}` : '.'} Press Back to return.`, true);
}

function togglePlay() {
  if (video.paused) video.play().catch(() => flash('Press Enter to play'));
  else video.pause();
}

function seek(by) {
  const end = Number.isFinite(video.duration) ? video.duration : Infinity;
  video.currentTime = Math.min(Math.max(0, video.currentTime + by), end);
  flash(`${by > 0 ? '+' : '−'}${Math.abs(by)} s · ${clock(video.currentTime)} / ${clock(video.duration)}`);
}

/// A short note on screen for what a key did while the bar is hidden.
function flash(text) {
  osd.textContent = text;
  osd.hidden = false;
  clearTimeout(osdTimer);
  osdTimer = setTimeout(() => { osd.hidden = true; }, 1500);
}

function sync() {
  if (Number.isFinite(video.duration) && video.duration > 0) progress.value = video.currentTime / video.duration;
  time.textContent = `${clock(video.currentTime)} / ${clock(video.duration)}`;
  buttons.play.textContent = video.paused ? 'Play' : 'Pause';
}

function showBar() {
  bar.hidden = false;
  sync();
  focusItem(buttons.play);
  armHide();
}

function hideBar() {
  bar.hidden = true;
  clearTimeout(hideTimer);
  container.focus({ preventScroll: true });
}

function armHide() {
  clearTimeout(hideTimer);
  hideTimer = setTimeout(hideBar, BAR_TIMEOUT);
}

/// Quality cycles Auto → each rendition → Auto; the label says what plays under Auto.
function qualityText() {
  const playing = player.variants[player.current];
  if (player.automatic) return `Quality: Auto${playing ? ` (${qualityLabel(playing)})` : ''}`;
  return `Quality: ${qualityLabel(player.variants[player.fixed])}`;
}

function subtitleTracks() {
  return [...video.textTracks].filter((track) => track.kind === 'subtitles' || track.kind === 'captions');
}

function captionsText() {
  const on = subtitleTracks().find((track) => track.mode === 'showing');
  return `Captions: ${on ? on.label || on.language : 'Off'}`;
}

function setUpButtons() {
  buttons.play.addEventListener('click', togglePlay);
  buttons.back.addEventListener('click', () => seek(-SEEK));
  buttons.forward.addEventListener('click', () => seek(SEEK));
  if (!player.native && player.variants.length > 1) {
    buttons.quality.hidden = false;
    buttons.quality.textContent = qualityText();
    buttons.quality.addEventListener('click', () => {
      const next = player.fixed + 1 >= player.variants.length ? -1 : player.fixed + 1;
      player.setQuality(next);
      buttons.quality.textContent = qualityText();
    });
    player.addEventListener('renditionchange', () => { buttons.quality.textContent = qualityText(); });
  }
  const refreshCaptions = () => {
    buttons.captions.hidden = subtitleTracks().length === 0;
    buttons.captions.textContent = captionsText();
  };
  buttons.captions.addEventListener('click', () => {
    const tracks = subtitleTracks();
    const on = tracks.findIndex((track) => track.mode === 'showing');
    tracks.forEach((track, index) => { track.mode = index === on + 1 ? 'showing' : 'disabled'; });
    refreshCaptions();
  });
  // The player may add tracks from the manifest after the page's own.
  video.textTracks.addEventListener?.('addtrack', refreshCaptions);
  refreshCaptions();
  for (const event of ['timeupdate', 'durationchange', 'play', 'pause', 'seeked']) video.addEventListener(event, sync);
}

function onKey(event) {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  const barShown = !bar.hidden;
  let handled = true;
  if (isBack(event)) {
    if (barShown) hideBar(); else goBack('/tv');
  } else if (event.key === 'MediaPlayPause' || event.key === 'MediaPlay' || event.key === 'MediaPause') {
    togglePlay();
  } else if (event.key === 'MediaFastForward' || event.key === 'MediaRewind') {
    seek(event.key === 'MediaRewind' ? -SEEK : SEEK);
  } else if (barShown) {
    armHide();
    const direction = DIRECTIONS[event.key];
    if (direction === 'up' || direction === 'down') hideBar();
    else if (direction) {
      if (!rows(bar).some((entry) => entry.items.includes(document.activeElement))) focusItem(buttons.play);
      else move(direction, bar);
    } else handled = false; // Enter: the focused button's own click
  } else if (event.key === 'Enter' || event.key === ' ') {
    togglePlay();
  } else if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') {
    seek(event.key === 'ArrowLeft' ? -SEEK : SEEK);
  } else if (event.key === 'ArrowUp' || event.key === 'ArrowDown') {
    showBar();
  } else {
    handled = false;
  }
  if (handled) event.preventDefault();
}

/// A signed-in viewer's position every ~10 s of play and on pause, as on the watch page: it
/// feeds their history (and so *Most viewed*).
function startHeartbeats() {
  let csrf = null;
  let last = 0;
  const beat = async () => {
    if (!(video.currentTime > 0)) return;
    csrf ||= await csrfToken();
    if (csrf) request('POST', `/api/v1/videos/${encodeURIComponent(container.dataset.videoId)}/progress`, { position: video.currentTime }, csrf).catch(() => {});
  };
  video.addEventListener('timeupdate', () => {
    if (!video.paused && performance.now() - last >= 10000) { last = performance.now(); beat(); }
  });
  video.addEventListener('pause', beat);
}

async function main() {
  if (!container || !video) return;
  document.addEventListener('keydown', onKey);
  container.focus({ preventScroll: true });
  const src = container.dataset.src;
  if (!src) { // still processing: the page says so; Back still works
    return;
  }
  video.addEventListener('error', () => fail(new Error(video.error?.message || 'the browser could not decode it')));
  player = new KinoraPlayer(video, src, 'hls');
  player.addEventListener('error', (event) => fail(event.error));
  window.kinoraPlayer = player; // for the browser tests and the curious
  try {
    await player.start();
  } catch (error) {
    fail(error);
    return;
  }
  setUpButtons();
  sync();
  if ('signedIn' in container.dataset) startHeartbeats();
  video.play().catch(() => flash('Press Enter to play'));
}

main();
