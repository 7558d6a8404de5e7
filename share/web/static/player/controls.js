// The player's menus and keyboard: a labelled quality menu (Auto plus each rendition), the
// audio menu (each language), keyboard shortcuts, and a readable message instead of a blank
// box on failure.

export function qualityLabel(variant) {
  return variant.height ? `${variant.height}p` : `${Math.round(variant.bandwidth / 1000)} kb/s`;
}

export function buildQualityMenu(container, player) {
  const bar = document.createElement('div');
  bar.className = 'player-bar';
  const label = document.createElement('label');
  label.htmlFor = 'quality';
  label.textContent = 'Quality';
  const select = document.createElement('select');
  select.id = 'quality';
  select.append(new Option('Auto', '-1'));
  player.variants.forEach((variant, index) => select.append(new Option(qualityLabel(variant), String(index))));
  const now = document.createElement('span');
  now.className = 'time';
  now.setAttribute('aria-live', 'polite');
  const update = () => {
    const variant = player.variants[player.current];
    now.textContent = variant ? `Playing ${qualityLabel(variant)}${player.automatic ? ' (auto)' : ''}` : '';
    container.dataset.rendition = variant ? variant.id : '';
  };
  select.addEventListener('change', () => { player.setQuality(Number(select.value)); update(); });
  player.addEventListener('renditionchange', update);
  bar.append(label, select, now);
  container.after(bar);
  update();
  return select;
}

/// space/k play-pause, ←/→ five seconds back/forward, m mute, f full screen; not while typing.
/// The audio menu (one entry per language and layout), when the video has more than one.
export function buildAudioMenu(bar, player) {
  if (player.audioTracks.length < 2) return null;
  const label = document.createElement('label');
  label.htmlFor = 'audio-track';
  label.textContent = 'Audio';
  const select = document.createElement('select');
  select.id = 'audio-track';
  player.audioTracks.forEach((track, index) => {
    const option = new Option(track.label, String(index));
    if (track.language && track.language !== 'und') option.lang = track.language;
    select.append(option);
  });
  select.value = String(player.audioIndex);
  select.addEventListener('change', () => player.setAudioTrack(Number(select.value)));
  player.addEventListener('audiochange', () => { select.value = String(player.audioIndex); });
  const quality = bar.querySelector('label[for="quality"]');
  bar.insertBefore(label, quality);
  bar.insertBefore(select, quality);
  return select;
}

export function bindKeyboard(video, container) {
  document.addEventListener('keydown', (event) => {
    const target = event.target;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON'].includes(target.tagName))) return;
    switch (event.key) {
      case ' ': case 'k': case 'K':
        if (video.paused) video.play().catch(() => {}); else video.pause();
        break;
      case 'ArrowLeft': video.currentTime = Math.max(0, video.currentTime - 5); break;
      case 'ArrowRight': video.currentTime = Math.min(video.duration || Infinity, video.currentTime + 5); break;
      case 'm': case 'M': video.muted = !video.muted; break;
      case 'f': case 'F':
        if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
        else container.requestFullscreen?.().catch(() => {});
        break;
      default: return;
    }
    event.preventDefault();
  });
}

export function showMessage(container, text, isError) {
  let message = container.querySelector('.player-message');
  if (!message) {
    message = document.createElement('p');
    message.className = 'player-message';
    message.setAttribute('role', isError ? 'alert' : 'status');
    container.append(message);
  }
  message.textContent = text;
  message.classList.toggle('error', Boolean(isError));
  message.hidden = !text;
}
