// The player's own transport controls, so the page shows one timeline (ours, with trickplay)
// instead of the browser's beside it: play/pause, mute and volume, captions, picture in
// picture (where the browser offers it), full screen. Buttons are 44 px squares, big enough
// for a finger.
// Every control is a labelled button or input, reachable with Tab; the state is mirrored
// in aria-pressed / aria-label so a screen reader hears what a glance shows.

// Icons are SVG paths drawn in a 24-unit box: glyphs such as 🔊 need a font that many
// systems (and headless browsers) lack.
const ICONS = {
  play: 'M8 5v14l11-7z',
  pause: 'M6 5h4v14H6zM14 5h4v14h-4z',
  volume: 'M4 9v6h4l5 4V5L8 9zM15.5 8.5a5 5 0 0 1 0 7M18 6a8.5 8.5 0 0 1 0 12',
  muted: 'M4 9v6h4l5 4V5L8 9zM16 9l5 6M21 9l-5 6',
  fullscreen: 'M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5',
  pip: 'M3 5h18v14H3zM12 12h7v5h-7z',
};

function setIcon(element, name) {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('d', ICONS[name]);
  svg.append(path);
  element.replaceChildren(svg);
  element.dataset.icon = name;
}

function button(className, label, icon) {
  const element = document.createElement('button');
  element.type = 'button';
  element.className = `player-button ${className}`;
  element.setAttribute('aria-label', label);
  setIcon(element, icon);
  return element;
}

function playPause(video) {
  const play = button('play', 'Play', 'play');
  const sync = () => {
    setIcon(play, video.paused ? 'play' : 'pause');
    play.setAttribute('aria-label', video.paused ? 'Play' : 'Pause');
  };
  play.addEventListener('click', () => { if (video.paused) video.play().catch(() => {}); else video.pause(); });
  for (const event of ['play', 'pause', 'ended']) video.addEventListener(event, sync);
  sync();
  return play;
}

function volume(video) {
  const mute = button('mute', 'Mute', 'volume');
  const label = document.createElement('label');
  label.htmlFor = 'volume';
  label.className = 'visually-hidden';
  label.textContent = 'Volume';
  const slider = document.createElement('input');
  Object.assign(slider, { type: 'range', id: 'volume', className: 'volume', min: '0', max: '1', step: '0.05' });
  const sync = () => {
    const silent = video.muted || video.volume === 0;
    setIcon(mute, silent ? 'muted' : 'volume');
    mute.setAttribute('aria-label', silent ? 'Unmute' : 'Mute');
    mute.setAttribute('aria-pressed', String(silent));
    slider.value = String(video.muted ? 0 : video.volume);
  };
  mute.addEventListener('click', () => { video.muted = !video.muted; if (!video.muted && video.volume === 0) video.volume = 0.5; });
  slider.addEventListener('input', () => { video.volume = Number(slider.value); video.muted = video.volume === 0; });
  video.addEventListener('volumechange', sync);
  sync();
  return [mute, label, slider];
}

/// A menu of the video's subtitle tracks (Off plus each), or nothing when it has none.
function captions(video) {
  const tracks = [...video.textTracks].filter((track) => track.kind === 'subtitles' || track.kind === 'captions');
  if (!tracks.length) return [];
  const label = document.createElement('label');
  label.htmlFor = 'captions';
  label.textContent = 'Captions';
  const select = document.createElement('select');
  select.id = 'captions';
  select.append(new Option('Off', '-1'));
  tracks.forEach((track, index) => select.append(new Option(track.label || track.language || `Track ${index + 1}`, String(index))));
  // The track the page (or manifest) marks default is on from the start, as browsers do for
  // <track default> only until a script touches the tracks.
  const marked = [...video.querySelectorAll('track')].find((element) => element.default)?.track;
  if (marked && !tracks.some((track) => track.mode === 'showing')) marked.mode = 'showing';
  const showing = tracks.findIndex((track) => track.mode === 'showing');
  select.value = String(showing);
  select.addEventListener('change', () => {
    tracks.forEach((track, index) => { track.mode = index === Number(select.value) ? 'showing' : 'disabled'; });
  });
  return [label, select];
}

/// Picture in picture, where the browser has it (not Firefox, whose own button is on the video).
function pictureInPicture(video) {
  if (!document.pictureInPictureEnabled || video.disablePictureInPicture) return [];
  const pip = button('pip', 'Picture in picture', 'pip');
  pip.addEventListener('click', () => {
    const request = document.pictureInPictureElement ? document.exitPictureInPicture() : video.requestPictureInPicture();
    request.catch(() => {}); // refused (no video frame yet): the button stays as it was
  });
  const sync = () => {
    const on = document.pictureInPictureElement === video;
    pip.setAttribute('aria-pressed', String(on));
    pip.setAttribute('aria-label', on ? 'Exit picture in picture' : 'Picture in picture');
  };
  video.addEventListener('enterpictureinpicture', sync);
  video.addEventListener('leavepictureinpicture', sync);
  sync();
  return [pip];
}

function fullScreen(container) {
  const full = button('fullscreen', 'Full screen', 'fullscreen');
  full.addEventListener('click', () => {
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    else container.requestFullscreen?.().catch(() => {});
  });
  document.addEventListener('fullscreenchange', () => {
    full.setAttribute('aria-label', document.fullscreenElement ? 'Exit full screen' : 'Full screen');
  });
  return full;
}

/// Adds the controls to `bar` (play first, full screen last) and makes a click on the
/// picture play or pause, as viewers expect.
export function buildTransport(bar, video, container) {
  video.controls = false;
  const play = playPause(video);
  bar.insertBefore(play, bar.querySelector('.seek-time') ?? bar.firstChild);
  play.after(...volume(video));
  const spacer = document.createElement('span');
  spacer.className = 'player-spacer';
  bar.append(...captions(video), spacer, ...pictureInPicture(video), fullScreen(container));
  video.addEventListener('click', () => { if (video.paused) video.play().catch(() => {}); else video.pause(); });
  return play;
}
