// The watch page: starts the player on the video's HLS master (the DASH MPD with
// `?format=dash` or `data-format="dash"`, once the video has one), adds the seek bar with
// trickplay, the audio and quality menus, touch gestures and the Media Session (lock screen)
// controls, resumes where a signed-in viewer stopped, and reports the position every ~10 s
// while playing (history, views).
import { KinoraPlayer } from '../player/player.js';
import { buildQualityMenu, buildAudioMenu, bindKeyboard, showMessage } from '../player/controls.js';
import { buildSeekBar, attachTrickplay } from '../player/trickplay.js';
import { buildTransport } from '../player/transport.js';
import { bindTouch } from '../player/touch.js';
import { bindMediaSession } from '../player/session.js';
import { request, csrfToken } from './api.js';

const container = document.getElementById('player');
const video = document.getElementById('video');
const askedFor = new URLSearchParams(location.search).get('format');
// A video still being transcoded has no MPD yet (the page then has no data-dash): it plays
// over HLS, which grows as it is transcoded.
const wantsDASH = (askedFor || container?.dataset.format) === 'dash';
const format = wantsDASH && container?.dataset.dash ? 'dash' : 'hls';
const src = format === 'dash' ? container?.dataset.dash : container?.dataset.src;
const videoID = container?.dataset.videoId;
const signedIn = Boolean(document.querySelector('.user-name'));

function fail(error) {
  if (!navigator.onLine) {
    showMessage(container, 'You are offline. The video plays once the connection is back: reload the page then.', true);
    return;
  }
  showMessage(container, error?.message && error.name === 'PlayerError' ? error.message
    : `The video could not be played${error?.message ? `: ${error.message}` : '.'}`, true);
}

/// What the lock screen shows: the title, the channel and the poster (else the app's icon).
function mediaDetails() {
  const channel = document.querySelector('.watch-channel .channel-link') || document.querySelector('.watch-channel');
  return {
    title: document.querySelector('.watch-title')?.textContent.trim() || video.getAttribute('aria-label') || document.title,
    artist: channel?.textContent.trim() || '',
    artwork: [
      ...(container.dataset.poster ? [{ src: container.dataset.poster }] : []),
      { src: '/static/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
    ],
  };
}

async function resumePosition() {
  // `?t=` (seconds; the history page's Resume links) wins over the stored position.
  const t = Number(new URLSearchParams(location.search).get('t'));
  if (Number.isFinite(t) && t > 0) return t;
  if (!signedIn) return 0;
  try {
    const details = await request('GET', `/api/v1/videos/${encodeURIComponent(videoID)}`);
    return details?.resume_position || 0;
  } catch {
    return 0;
  }
}

function startHeartbeats() {
  let csrf = null;
  let last = 0;
  const beat = async () => {
    // Called while playing and on pause (when `paused` is already true).
    if (!Number.isFinite(video.currentTime) || video.currentTime <= 0) return;
    csrf ||= await csrfToken();
    if (!csrf) return;
    request('POST', `/api/v1/videos/${encodeURIComponent(videoID)}/progress`, { position: video.currentTime }, csrf).catch(() => {});
  };
  video.addEventListener('timeupdate', () => {
    if (!video.paused && performance.now() - last >= 10000) { last = performance.now(); beat(); }
  });
  video.addEventListener('pause', beat);
}

/// Says for a moment why DASH was not used, to a viewer who asked for it in the address.
function explainFallback() {
  const text = 'DASH is available once this video has finished processing: it plays over HLS until then.';
  showMessage(container, text, false);
  setTimeout(() => {
    if (container.querySelector('.player-message')?.textContent === text) showMessage(container, '', false);
  }, 4000);
}

async function main() {
  if (!container || !src) return;
  if (askedFor === 'dash' && format !== 'dash') explainFallback();
  video.playsInline = true; // iOS: in the page, not full screen at the first tap
  bindKeyboard(video, container);
  video.addEventListener('error', () => fail(new Error(video.error?.message || 'the browser could not decode it')));
  const player = new KinoraPlayer(video, src, format);
  player.addEventListener('error', (event) => fail(event.error));
  window.kinoraPlayer = player; // for the browser tests and the curious
  try {
    await player.start();
  } catch (error) {
    fail(error);
    return;
  }
  if (!player.native) {
    buildQualityMenu(container, player);
    const bar = container.nextElementSibling;
    buildAudioMenu(bar, player);
    attachTrickplay(buildSeekBar(bar, video), container.dataset.trickplay);
    buildTransport(bar, video, container);
    bindTouch(video, container);
  } else {
    video.controls = true; // native HLS: the browser's controls are the only ones
  }
  bindMediaSession(video, mediaDetails());
  const resume = await resumePosition();
  if (resume > 0 && resume < (video.duration || Infinity) - 5) video.currentTime = resume;
  if (signedIn) startHeartbeats();
  video.play().catch(() => { /* autoplay refused: the viewer presses play */ });
}

main();
