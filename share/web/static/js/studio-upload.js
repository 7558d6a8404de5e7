// The studio's upload page: sends the chosen file with our tus client (pause, resume after a
// reload or a dropped connection), shows percent, speed and ETA, then follows processing
// over Server-Sent Events until the video is ready or failed.
import { csrfToken } from './api.js';
import { TusUpload, fingerprint } from './tus.js';

const DEFAULT_CHUNK = 8 * 1024 * 1024;
// Tests ask for small chunks (`?chunk=262144`) to pause between two of them.
const requested = Number(new URLSearchParams(location.search).get('chunk'));
const chunkSize = Number.isInteger(requested) && requested >= 65536 ? requested : DEFAULT_CHUNK;

const form = document.getElementById('upload-form');
const fileInput = document.getElementById('upload-file');
const title = document.getElementById('upload-title');
const error = document.getElementById('form-error');
const startButton = document.getElementById('upload-start');
const pauseButton = document.getElementById('upload-pause');
const resumeButton = document.getElementById('upload-resume');
const progressBox = document.getElementById('upload-progress');
const bar = document.getElementById('upload-bar');
const statusLine = document.getElementById('upload-status');

let upload = null;
let token = null;
const csrf = async () => token || (token = await csrfToken());

function formatBytes(bytes) {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

function formatDuration(seconds) {
  if (!Number.isFinite(seconds)) return '…';
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

// Speed over the last few seconds, so a pause or a retry does not skew it for long.
const samples = [];
function showProgress(offset, total) {
  const now = performance.now();
  // Where this run started: the server's offset after a resume (shown, and checked by tests).
  if (!samples.length) progressBox.dataset.resumedFrom = String(offset);
  samples.push([now, offset]);
  while (samples.length > 2 && now - samples[0][0] > 5000) samples.shift();
  const [t0, o0] = samples[0];
  const speed = now > t0 ? ((offset - o0) * 1000) / (now - t0) : 0;
  const percent = total ? Math.floor((offset * 100) / total) : 100;
  bar.value = percent;
  progressBox.dataset.offset = String(offset);
  const eta = speed > 0 ? formatDuration((total - offset) / speed) : '…';
  statusLine.textContent = `${percent}% · ${formatBytes(offset)} of ${formatBytes(total)} · ${speed > 0 ? `${formatBytes(speed)}/s` : '–'} · about ${eta} left`;
}

function setState(state) {
  progressBox.dataset.state = state;
  startButton.disabled = state === 'uploading' || state === 'done';
  pauseButton.disabled = state !== 'uploading';
  resumeButton.disabled = state !== 'paused';
  fileInput.disabled = state === 'uploading' || state === 'paused' || state === 'done';
}

function makeUpload(file) {
  return new TusUpload(file, {
    metadata: { filename: file.name, title: title.value.trim() || file.name.replace(/\.[^.]+$/, ''), visibility: form.visibility.value },
    chunkSize,
    csrf,
    on: {
      progress: showProgress,
      retry: (delay) => { statusLine.textContent = `The connection was lost; trying again in ${formatDuration(delay / 1000)}…`; },
    },
  });
}

async function run() {
  error.textContent = '';
  progressBox.hidden = false;
  samples.length = 0;
  setState('uploading');
  try {
    const videoID = await upload.start();
    if (videoID) {
      setState('done');
      statusLine.textContent = '100% · uploaded.';
      bar.value = 100;
      followProcessing(videoID);
    } else if (upload.paused) {
      setState('paused');
      statusLine.textContent = `Paused at ${bar.value}%.`;
    }
  } catch (failure) {
    setState('paused');
    error.textContent = `The upload stopped: ${failure.message} Press Resume to try again.`;
  }
}

// A file chosen again after a reload continues where the remembered upload stopped.
fileInput.addEventListener('change', () => {
  const file = fileInput.files[0];
  error.textContent = '';
  if (!file) return;
  if (!title.value.trim()) title.value = file.name.replace(/\.[^.]+$/, '');
  if (localStorage.getItem(fingerprint(file))) {
    upload = makeUpload(file);
    progressBox.hidden = false;
    setState('paused');
    statusLine.textContent = 'An earlier upload of this file was interrupted. Press Resume to continue it.';
  } else {
    upload = null;
    setState('idle');
  }
});

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const file = fileInput.files[0];
  if (!file) {
    error.textContent = 'Choose a video file to upload.';
    return;
  }
  upload = upload && upload.file === file ? upload : makeUpload(file);
  run();
});

pauseButton.addEventListener('click', () => upload?.pause());
resumeButton.addEventListener('click', () => { if (upload) run(); });

const processing = document.getElementById('processing');
const processingBar = document.getElementById('processing-bar');
const processingStatus = document.getElementById('processing-status');

function followProcessing(videoID) {
  processing.hidden = false;
  processing.dataset.videoId = videoID;
  document.getElementById('watch-link').href = `/watch/${encodeURIComponent(videoID)}`;
  document.getElementById('edit-link').href = `/studio/videos/${encodeURIComponent(videoID)}`;
  processingStatus.textContent = 'Waiting for processing to start…';
  const events = new EventSource(`/api/v1/videos/${encodeURIComponent(videoID)}/events`);
  const end = (state, text) => {
    events.close();
    processing.dataset.state = state;
    processingStatus.textContent = text;
    document.getElementById('processing-links').hidden = false;
  };
  events.addEventListener('progress', (event) => {
    const data = JSON.parse(event.data);
    const percent = Math.round(Number(data.progress?.percent) || 0);
    processingBar.value = percent;
    processing.dataset.state = data.status;
    const step = data.progress?.step ? ` (${data.progress.step})` : '';
    processingStatus.textContent = `${data.status}${step}: ${percent}%`;
  });
  events.addEventListener('ready', () => { processingBar.value = 100; end('ready', 'Ready to watch.'); });
  events.addEventListener('failed', (event) => {
    let reason = '';
    try { reason = JSON.parse(event.data).error || ''; } catch { reason = ''; }
    end('failed', `Processing failed${reason ? `: ${reason}` : '.'}`);
  });
  events.addEventListener('deleted', () => end('failed', 'The video was deleted.'));
  // EventSource reconnects by itself after a dropped connection; nothing to do on error.
}
