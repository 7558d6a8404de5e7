// TV mode's focus model: a remote has arrows, Enter and Back, no pointer. Focusable things
// are `[data-tv-item]` inside `[data-tv-row]` containers, rows in document order: ←/→ move
// within a row, ↑/↓ to the row above or below, landing on the item nearest on screen (a
// keyboard line keeps its column) or, in a `data-tv-remember` row (cards), on the item last
// focused there, as TV home screens do. Enter is the browser's own activation of the link or
// button. Where focus was is kept per page in sessionStorage, so coming Back puts it there again.

/// TVs name their Back key differently: `GoBack`/`BrowserBack` (Android TV, Chromium), key
/// codes 461 (webOS) and 10009 (Tizen); a keyboard's Backspace and Escape do the same.
const BACK_KEYS = new Set(['Backspace', 'Escape', 'GoBack', 'BrowserBack', 'XF86Back']);

export function isBack(event) {
  return BACK_KEYS.has(event.key) || event.keyCode === 461 || event.keyCode === 10009;
}

export const DIRECTIONS = { ArrowLeft: 'left', ArrowRight: 'right', ArrowUp: 'up', ArrowDown: 'down' };

function shown(element) {
  return !element.hidden && !element.disabled && element.getClientRects().length > 0;
}

export function rows(root = document) {
  return [...root.querySelectorAll('[data-tv-row]')]
    .map((row) => ({ row, items: [...row.querySelectorAll('[data-tv-item]')].filter(shown) }))
    .filter((entry) => entry.items.length && shown(entry.row));
}

export function focusItem(element) {
  element.focus({ preventScroll: true });
  // Centred vertically so the rows above and below stay in view; horizontally only as far as needed.
  element.scrollIntoView({ block: 'center', inline: 'nearest' });
}

function centre(element) {
  const box = element.getBoundingClientRect();
  return box.left + box.width / 2;
}

/// Moves focus one step; false when there is nothing that way (the caller may then act).
export function move(direction, root = document) {
  const list = rows(root);
  if (!list.length) return false;
  const current = document.activeElement;
  const r = list.findIndex((entry) => entry.items.includes(current));
  if (r === -1) {
    focusItem(list[0].items[0]);
    return true;
  }
  const { items } = list[r];
  const i = items.indexOf(current);
  if (direction === 'left' || direction === 'right') {
    const next = items[i + (direction === 'left' ? -1 : 1)];
    if (!next) return false;
    focusItem(next);
    return true;
  }
  const target = list[r + (direction === 'up' ? -1 : 1)];
  if (!target) return false;
  const remembered = target.row.hasAttribute('data-tv-remember') ? target.items[Number(target.row.dataset.tvLast)] : null;
  if (remembered) {
    focusItem(remembered);
    return true;
  }
  const x = centre(current);
  let best = target.items[0];
  for (const item of target.items) if (Math.abs(centre(item) - x) < Math.abs(centre(best) - x)) best = item;
  focusItem(best);
  return true;
}

const storageKey = () => `kinora-tv-focus:${location.pathname}`;

/// What identifies a focused item across a reload: its row's position and its own, plus the
/// video or key it shows (a row may have changed since).
function describe(element) {
  const list = rows();
  const r = list.findIndex((entry) => entry.items.includes(element));
  if (r === -1) return null;
  return { row: r, name: list[r].row.dataset.tvRow, item: list[r].items.indexOf(element),
    video: element.dataset.videoId || null, key: element.dataset.key ?? null };
}

function find(saved) {
  const list = rows();
  const candidates = list.filter((entry) => entry.row.dataset.tvRow === saved.name);
  const entry = candidates.find((c) => list.indexOf(c) === saved.row) || candidates[0];
  if (!entry) return null;
  return entry.items.find((item) => saved.video && item.dataset.videoId === saved.video)
    || entry.items.find((item) => saved.key !== null && item.dataset.key === saved.key)
    || entry.items[Math.min(saved.item, entry.items.length - 1)];
}

/// Focus where it was when the viewer left this page, else the first item under
/// `[data-tv-start]`, else the first item of the page.
export function restoreFocus() {
  let target = null;
  try {
    const saved = JSON.parse(sessionStorage.getItem(storageKey()) || 'null');
    if (saved) target = find(saved);
  } catch { /* storage refused or unreadable: start fresh */ }
  const start = document.querySelector('[data-tv-start]');
  target ||= (start && rows(start)[0]?.items[0]) || rows()[0]?.items[0];
  if (target) focusItem(target);
}

/// Back: to the TV page the viewer came from (history, so that page comes back as it was),
/// else to `fallback`.
export function goBack(fallback = '/tv') {
  let from = null;
  try { from = document.referrer ? new URL(document.referrer) : null; } catch { from = null; }
  if (from && from.origin === location.origin && from.pathname.startsWith('/tv') && history.length > 1) history.back();
  else location.assign(fallback);
}

/// Arrow keys move focus, Back calls `onBack`; remembers the focused item of each row and of
/// the page. `onKey(event)` sees other keys first and returns true when it used one.
export function startNavigation({ onBack = () => goBack('/tv'), onKey = () => false } = {}) {
  document.addEventListener('focusin', (event) => {
    const row = event.target.closest?.('[data-tv-row]');
    if (!row || !event.target.matches('[data-tv-item]')) return;
    row.dataset.tvLast = String(rows().find((entry) => entry.row === row)?.items.indexOf(event.target) ?? 0);
    const saved = describe(event.target);
    try { if (saved) sessionStorage.setItem(storageKey(), JSON.stringify(saved)); } catch { /* private mode: no memory */ }
  });
  document.addEventListener('keydown', (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (onKey(event)) { event.preventDefault(); return; }
    if (isBack(event)) { event.preventDefault(); onBack(); return; }
    const direction = DIRECTIONS[event.key];
    if (!direction) return;
    event.preventDefault(); // the page itself never scrolls by arrow: focus moves, and brings its item into view
    move(direction);
  });
  // Coming back through history may show the page from the back/forward cache: focus again.
  window.addEventListener('pageshow', (event) => { if (event.persisted) restoreFocus(); });
  restoreFocus();
}
