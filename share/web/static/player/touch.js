// Touch on the picture, as phone players do: a tap plays or pauses, a double tap on the left
// or right half goes back or forward 10 s (each further tap there 10 s more), shown for a
// moment over the picture. A tap waits a double tap's length to be sure it is not the first
// of two; the click the browser sends after a tap is not acted on twice.
const WINDOW = 300; // ms between the taps of a double tap
const STEP = 10;

export function bindTouch(video, container) {
  const flash = document.createElement('p');
  flash.className = 'seek-flash';
  flash.setAttribute('aria-live', 'polite');
  flash.hidden = true;
  container.append(flash);
  let last = null; // the previous tap: { at, side }
  let pending = null;
  let hide = null;
  let touchedAt = -Infinity;

  const seek = (side) => {
    const end = Number.isFinite(video.duration) ? video.duration : Infinity;
    video.currentTime = Math.min(Math.max(0, video.currentTime + side * STEP), end);
    flash.textContent = side < 0 ? `−${STEP} s` : `+${STEP} s`;
    flash.classList.toggle('back', side < 0);
    flash.hidden = false;
    clearTimeout(hide);
    hide = setTimeout(() => { flash.hidden = true; }, 700);
  };

  video.addEventListener('pointerup', (event) => {
    if (event.pointerType !== 'touch') return;
    touchedAt = event.timeStamp;
    const box = video.getBoundingClientRect();
    const side = event.clientX - box.left < box.width / 2 ? -1 : 1;
    const now = event.timeStamp;
    if (last && now - last.at < WINDOW && last.side === side) {
      clearTimeout(pending);
      pending = null;
      seek(side);
      last = { at: now, side };
      return;
    }
    clearTimeout(pending);
    last = { at: now, side };
    pending = setTimeout(() => {
      pending = null;
      if (video.paused) video.play().catch(() => {}); else video.pause();
    }, WINDOW);
  });
  // Before the player's own click handler (capturing listeners on the target run first).
  video.addEventListener('click', (event) => {
    if (event.pointerType === 'touch' || event.timeStamp - touchedAt < 800) event.stopImmediatePropagation();
  }, { capture: true });
}
