// Audio renditions as a viewer chooses them: one menu entry per language and channel layout,
// named as the manifest names it (HLS NAME, DASH Label), else by the language in that
// language ("Français"), else "Audio 2"; entries that would read the same get their layout.

const LAYOUTS = { 1: 'mono', 2: 'stereo', 6: '5.1', 8: '7.1' };

/// "fr" → "Français", "pt-br" → "Português (Brasil)"; '' for "und", '' or an unknown tag.
export function languageName(tag) {
  if (!tag || tag === 'und') return '';
  try {
    const name = new Intl.DisplayNames([tag], { type: 'language' }).of(tag);
    if (!name || name.toLowerCase() === tag.toLowerCase()) return '';
    return name.charAt(0).toLocaleUpperCase(tag) + name.slice(1);
  } catch {
    return ''; // not a well-formed tag
  }
}

export function layoutName(channels) {
  return LAYOUTS[channels] || (channels ? `${channels} channels` : '');
}

/// Sets `label` on each track: its name, its language's name or "Audio N", made unique.
export function labelTracks(tracks) {
  tracks.forEach((track, index) => { track.label = track.name || languageName(track.language) || `Audio ${index + 1}`; });
  const repeated = new Set(tracks.filter((track, i) => tracks.findIndex((other) => other.label === track.label) !== i).map((track) => track.label));
  for (const track of tracks) {
    const layout = layoutName(track.channels);
    if (layout && repeated.has(track.label)) track.label = `${track.label} (${layout})`;
  }
  const seen = new Map();
  for (const track of tracks) {
    const n = (seen.get(track.label) || 0) + 1;
    seen.set(track.label, n);
    if (n > 1) track.label = `${track.label} ${n}`;
  }
  return tracks;
}
