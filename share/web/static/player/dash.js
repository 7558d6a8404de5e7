// The subset of DASH (ISO/IEC 23009-1) our packager writes, read into the same model as the
// HLS reader (see manifest.js): one static Period, video and audio AdaptationSets whose
// Representations use a SegmentTemplate (with `$Number$`/`$RepresentationID$`/`$Time$` and a
// SegmentTimeline or a fixed `duration`) or a SegmentList, and WebVTT text AdaptationSets.
// URLs are resolved against the MPD's BaseURL chain.

const NS = 'urn:mpeg:dash:schema:mpd:2011';

/// xs:duration (`PT1H2M3.5S`, `P1DT2H`) in seconds; 0 when absent or unreadable.
export function parseDuration(text) {
  const match = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec((text || '').trim());
  if (!match) return 0;
  const [, d, h, m, s] = match.map((v) => Number(v) || 0);
  return d * 86400 + h * 3600 + m * 60 + s;
}

/// `$RepresentationID$`, `$Number$`, `$Number%05d$`, `$Bandwidth$`, `$Time$` and `$$`.
export function fillTemplate(template, values) {
  return template.replace(/\$(RepresentationID|Number|Bandwidth|Time|)(?:%0(\d+)d)?\$/g, (whole, name, width) => {
    if (name === '') return '$';
    const value = String(values[name] ?? '');
    return width ? value.padStart(Number(width), '0') : value;
  });
}

function children(element, name) {
  return element ? Array.from(element.children).filter((child) => child.localName === name) : [];
}

function child(element, name) {
  return children(element, name)[0] || null;
}

function attribute(elements, name) {
  for (const element of elements) {
    if (element && element.hasAttribute(name)) return element.getAttribute(name);
  }
  return null;
}

/// The base URL of `element`: each BaseURL from the MPD down resolves against the one above.
function baseOf(chain, manifestURL) {
  let base = manifestURL;
  for (const element of chain) {
    const url = child(element, 'BaseURL');
    if (url && url.textContent.trim()) base = new URL(url.textContent.trim(), base).href;
  }
  return base;
}

/// Segment start/duration pairs (in timescale units) from a SegmentTimeline.
function timeline(element) {
  const runs = [];
  let next = 0;
  for (const s of children(element, 'S')) {
    const d = Number(s.getAttribute('d'));
    if (!(d > 0)) throw new Error('a SegmentTimeline entry has no duration');
    let t = s.hasAttribute('t') ? Number(s.getAttribute('t')) : next;
    const repeat = Number(s.getAttribute('r') || 0);
    // r = -1 (repeat to the end) needs the period's end, which a static MPD gives.
    for (let i = 0; i <= Math.max(repeat, 0); i++) {
      runs.push({ t, d });
      t += d;
    }
    next = t;
  }
  return runs;
}

/// The representation's init segment and media segments (seconds), from whichever of
/// SegmentTemplate or SegmentList applies (the nearest one wins, Representation first).
function segmentsOf(representation, set, period, base, totalDuration) {
  const levels = [representation, set, period];
  const templates = levels.map((level) => child(level, 'SegmentTemplate'));
  const values = { RepresentationID: representation.getAttribute('id') || '', Bandwidth: representation.getAttribute('bandwidth') || '' };
  if (templates.some(Boolean)) {
    const timescale = Number(attribute(templates, 'timescale')) || 1;
    const offset = Number(attribute(templates, 'presentationTimeOffset')) || 0;
    const startNumber = Number(attribute(templates, 'startNumber') ?? 1);
    const initialization = attribute(templates, 'initialization');
    const media = attribute(templates, 'media');
    if (!initialization || !media) throw new Error('a SegmentTemplate has no initialization or media');
    const line = templates.map((template) => child(template, 'SegmentTimeline')).find(Boolean);
    let runs;
    if (line) {
      runs = timeline(line);
    } else {
      const d = Number(attribute(templates, 'duration'));
      if (!(d > 0) || !(totalDuration > 0)) throw new Error('a SegmentTemplate has neither a SegmentTimeline nor a duration');
      const count = Math.ceil((totalDuration * timescale) / d - 1e-9);
      runs = Array.from({ length: count }, (_, i) => ({ t: offset + i * d, d }));
    }
    const segments = runs.map((run, i) => ({
      uri: new URL(fillTemplate(media, { ...values, Number: startNumber + i, Time: run.t }), base).href,
      start: (run.t - offset) / timescale,
      duration: run.d / timescale,
    }));
    return { init: new URL(fillTemplate(initialization, values), base).href, segments };
  }
  const list = levels.map((level) => child(level, 'SegmentList')).find(Boolean);
  if (!list) throw new Error(`representation ${values.RepresentationID} has no SegmentTemplate or SegmentList`);
  const timescale = Number(list.getAttribute('timescale')) || 1;
  const offset = Number(list.getAttribute('presentationTimeOffset')) || 0;
  const initialization = child(list, 'Initialization')?.getAttribute('sourceURL');
  if (!initialization) throw new Error('a SegmentList has no Initialization');
  const urls = children(list, 'SegmentURL').map((url) => url.getAttribute('media'));
  const line = child(list, 'SegmentTimeline');
  const fixed = Number(list.getAttribute('duration')) || 0;
  const runs = line ? timeline(line) : urls.map((_, i) => ({ t: offset + i * fixed, d: fixed }));
  const segments = urls.map((uri, i) => ({
    uri: new URL(uri, base).href,
    start: ((runs[i]?.t ?? 0) - offset) / timescale,
    duration: (runs[i]?.d ?? 0) / timescale,
  }));
  return { init: new URL(initialization, base).href, segments };
}

function playlistOf(representation, set, period, mpd, manifestURL, totalDuration) {
  const base = baseOf([mpd, period, set, representation], manifestURL);
  const { init, segments } = segmentsOf(representation, set, period, base, totalDuration);
  const last = segments[segments.length - 1];
  return { init, segments, duration: last ? last.start + last.duration : 0 };
}

function kindOf(set) {
  const type = set.getAttribute('contentType') || (set.getAttribute('mimeType') || '').split('/')[0];
  if (type) return type;
  const first = child(set, 'Representation');
  return (first?.getAttribute('mimeType') || '').split('/')[0];
}

/// The manifest model: `variants` (video renditions, lowest bandwidth first, each with its
/// `playlist`), `audioTracks` (one per audio set; Role `main` marks the default) and `textTracks`.
export function parseMPD(text, manifestURL) {
  const doc = new DOMParser().parseFromString(text, 'application/xml');
  const mpd = doc.documentElement;
  if (!mpd || mpd.localName !== 'MPD' || doc.getElementsByTagName('parsererror').length) throw new Error('not a DASH manifest');
  if (mpd.namespaceURI && mpd.namespaceURI !== NS) throw new Error('not a DASH manifest');
  if ((mpd.getAttribute('type') || 'static') !== 'static') throw new Error('live DASH manifests are not supported');
  const period = child(mpd, 'Period');
  if (!period) throw new Error('the DASH manifest has no Period');
  const total = parseDuration(period.getAttribute('duration')) || parseDuration(mpd.getAttribute('mediaPresentationDuration'));
  const variants = [];
  const audioTracks = [];
  const textTracks = [];
  for (const set of children(period, 'AdaptationSet')) {
    const kind = kindOf(set);
    const isMain = children(set, 'Role').some((role) => role.getAttribute('value') === 'main');
    if (kind === 'video') {
      // Only the first video set (or the one marked main) feeds the ladder: one SourceBuffer, one codec.
      if (variants.length && !isMain) continue;
      if (isMain) variants.length = 0;
      for (const representation of children(set, 'Representation')) {
        const id = representation.getAttribute('id') || '';
        variants.push({
          id,
          bandwidth: Number(representation.getAttribute('bandwidth')) || 0,
          codecs: [attribute([representation, set], 'codecs') || ''].filter(Boolean),
          width: Number(attribute([representation, set], 'width')) || 0,
          height: Number(attribute([representation, set], 'height')) || 0,
          playlist: playlistOf(representation, set, period, mpd, manifestURL, total),
        });
      }
    } else if (kind === 'audio') {
      // One menu entry per set (a language and channel layout), its lightest representation.
      const representation = children(set, 'Representation').sort((a, b) => Number(a.getAttribute('bandwidth')) - Number(b.getAttribute('bandwidth')))[0];
      if (!representation) continue;
      const channels = child(representation, 'AudioChannelConfiguration') || child(set, 'AudioChannelConfiguration');
      audioTracks.push({
        id: representation.getAttribute('id') || '',
        name: child(set, 'Label')?.textContent.trim() || '',
        language: set.getAttribute('lang') || '',
        channels: Number(channels?.getAttribute('value')) || 0,
        codecs: attribute([representation, set], 'codecs') || '',
        isDefault: isMain,
        playlist: playlistOf(representation, set, period, mpd, manifestURL, total),
      });
    } else if (kind === 'text') {
      const representation = child(set, 'Representation');
      const mime = attribute([representation, set], 'mimeType') || '';
      // Captions render as a <track> of the whole WebVTT file: a text/vtt BaseURL, the file
      // as a template's one segment, or, for fMP4 wvtt sets, the file the packager names.
      const file = children(set, 'SupplementalProperty').find((p) => p.getAttribute('schemeIdUri') === 'urn:org:kinora:webvtt-file:2026');
      const template = representation && (child(representation, 'SegmentTemplate') || child(set, 'SegmentTemplate'));
      const single = mime === 'text/vtt' && template && !(template.getAttribute('media') || '$').includes('$') ? template.getAttribute('media') : null;
      const relative = file?.getAttribute('value') || single;
      if (!representation || (!relative && (mime !== 'text/vtt' || !child(representation, 'BaseURL')))) continue;
      textTracks.push({
        uri: relative ? new URL(relative, baseOf([mpd, period, set], manifestURL)).href : baseOf([mpd, period, set, representation], manifestURL),
        language: set.getAttribute('lang') || '',
        label: child(set, 'Label')?.textContent.trim() || set.getAttribute('lang') || 'Captions',
        isDefault: isMain,
      });
    }
  }
  variants.sort((x, y) => x.bandwidth - y.bandwidth);
  return { variants, audioTracks, textTracks, duration: total };
}
