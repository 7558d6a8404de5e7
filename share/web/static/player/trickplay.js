// The seek bar under the video, and trickplay: pointing at (or keyboard-focusing) the bar
// shows the sprite tile for that time from the WebVTT thumbnail track (cues whose text is
// `sprite-001.jpg#xywh=x,y,w,h`), with the time under it. The track is fetched once, on the
// first hover or focus. Styles are set through element.style (CSP forbids inline style
// attributes, not the CSSOM).

/// `hh:mm:ss.ttt` or `mm:ss.ttt` in seconds, NaN when unreadable.
function seconds(stamp) {
  const parts = stamp.trim().split(':').map(Number);
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !Number.isFinite(p))) return NaN;
  return parts.reduce((total, part) => total * 60 + part, 0);
}

/// Cues { start, end, url, x, y, w, h } of a WebVTT sprite track; URLs resolve against `base`.
export function parseTrickplay(text, base) {
  if (!text.startsWith('WEBVTT')) throw new Error('not a WebVTT file');
  const cues = [];
  for (const block of text.replace(/\r\n?/g, '\n').split(/\n{2,}/)) {
    const lines = block.split('\n').filter(Boolean);
    const timing = lines.findIndex((line) => line.includes('-->'));
    if (timing === -1 || !lines[timing + 1]) continue;
    const [from, to] = lines[timing].split('-->').map((part) => seconds(part.trim().split(/\s+/)[0]));
    const match = /^(.*)#xywh=(\d+),(\d+),(\d+),(\d+)$/.exec(lines[timing + 1].trim());
    if (!match || !Number.isFinite(from) || !Number.isFinite(to)) continue;
    const [, file, x, y, w, h] = match;
    cues.push({ start: from, end: to, url: new URL(file, base).href, x: Number(x), y: Number(y), w: Number(w), h: Number(h) });
  }
  return cues;
}

export function cueAt(cues, time) {
  return cues.find((cue) => time >= cue.start && time < cue.end) || (cues.length && time >= cues[cues.length - 1].start ? cues[cues.length - 1] : null);
}

export function clock(time) {
  const total = Math.max(0, Math.floor(time || 0));
  const h = Math.floor(total / 3600), m = Math.floor(total / 60) % 60, s = total % 60;
  return `${h ? `${h}:${String(m).padStart(2, '0')}` : m}:${String(s).padStart(2, '0')}`;
}

/// A labelled range input in the player bar that follows and moves the play head.
export function buildSeekBar(bar, video) {
  const label = document.createElement('label');
  label.htmlFor = 'seek';
  label.className = 'visually-hidden';
  label.textContent = 'Seek';
  const wrap = document.createElement('div');
  wrap.className = 'seek-wrap';
  const seek = document.createElement('input');
  Object.assign(seek, { type: 'range', id: 'seek', className: 'seek', min: '0', max: '0', step: '0.1', value: '0' });
  const time = document.createElement('span');
  time.className = 'time seek-time';
  let dragging = false;
  const sync = () => {
    if (Number.isFinite(video.duration)) seek.max = String(video.duration);
    if (!dragging) seek.value = String(video.currentTime);
    seek.setAttribute('aria-valuetext', `${clock(video.currentTime)} of ${clock(video.duration)}`);
    time.textContent = `${clock(video.currentTime)} / ${clock(video.duration)}`;
  };
  for (const event of ['timeupdate', 'durationchange', 'loadedmetadata', 'seeked']) video.addEventListener(event, sync);
  seek.addEventListener('pointerdown', () => { dragging = true; });
  seek.addEventListener('pointerup', () => { dragging = false; });
  seek.addEventListener('input', () => { video.currentTime = Number(seek.value); });
  wrap.append(seek);
  bar.prepend(label, wrap, time);
  sync();
  return seek;
}

/// Shows the tile for the time under the pointer, or for the bar's value while focused.
export function attachTrickplay(seek, trackURL) {
  if (!trackURL) return null;
  const url = new URL(trackURL, location.href).href;
  const tile = document.createElement('div');
  tile.className = 'trickplay';
  tile.hidden = true;
  tile.setAttribute('aria-hidden', 'true');
  const picture = document.createElement('div');
  picture.className = 'trickplay-image';
  const label = document.createElement('span');
  label.className = 'trickplay-time';
  tile.append(picture, label);
  seek.parentElement.append(tile);
  let cues = null;
  let loading = null;
  const load = () => {
    loading ||= fetch(url, { credentials: 'same-origin' })
      .then((response) => (response.ok ? response.text() : Promise.reject(new Error(String(response.status)))))
      .then((text) => { cues = parseTrickplay(text, url); })
      .catch(() => { cues = []; }); // no thumbnails: the bar still seeks
    return loading;
  };
  let shown = null; // the time last asked for, so a late load shows the latest
  const show = async (time) => {
    shown = time;
    await load();
    if (shown !== time) return;
    const cue = cueAt(cues, time);
    if (!cue) { tile.hidden = true; return; }
    Object.assign(picture.style, {
      width: `${cue.w}px`, height: `${cue.h}px`,
      backgroundImage: `url("${cue.url}")`, backgroundPosition: `-${cue.x}px -${cue.y}px`,
    });
    label.textContent = clock(time);
    tile.hidden = false;
    // Centred over the point, kept inside the bar.
    const max = Number(seek.max) || 0;
    const width = seek.clientWidth;
    const center = max > 0 ? (time / max) * width : 0;
    const box = tile.offsetWidth; // the picture plus the frame around it
    tile.style.left = `${Math.min(Math.max(0, center - box / 2), Math.max(0, width - box))}px`;
  };
  const hide = () => { shown = null; tile.hidden = true; };
  seek.addEventListener('pointermove', (event) => {
    const max = Number(seek.max) || 0;
    const rect = seek.getBoundingClientRect();
    if (!max || !rect.width) return;
    show(Math.min(max, Math.max(0, ((event.clientX - rect.left) / rect.width) * max)));
  });
  seek.addEventListener('pointerleave', () => { if (document.activeElement === seek) show(Number(seek.value)); else hide(); });
  seek.addEventListener('focus', () => show(Number(seek.value)));
  seek.addEventListener('input', () => { if (document.activeElement === seek) show(Number(seek.value)); });
  seek.addEventListener('blur', hide);
  seek.addEventListener('keyup', (event) => { if (event.key === 'Escape') hide(); });
  return tile;
}
