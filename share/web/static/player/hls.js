// The subset of HLS (RFC 8216) our packager writes: a master playlist with EXT-X-STREAM-INF
// variants and EXT-X-MEDIA audio renditions, and media playlists of fMP4 segments with an
// EXT-X-MAP init segment: VOD ones, and EVENT ones that grow while the first rendition is
// transcoded (no EXT-X-ENDLIST yet). URIs are resolved against the playlist that names them.

/// `KEY=value,KEY="quoted, value"` → { KEY: 'value', ... }.
export function parseAttributes(text) {
  const attributes = {};
  const pattern = /([A-Z0-9-]+)=("[^"]*"|[^,]*)/g;
  let match;
  while ((match = pattern.exec(text)) !== null) {
    let value = match[2];
    if (value.startsWith('"')) value = value.slice(1, -1);
    attributes[match[1]] = value;
  }
  return attributes;
}

function lines(text) {
  if (!text.startsWith('#EXTM3U')) throw new Error('not an HLS playlist');
  return text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
}

/// Variants (video renditions, lowest bandwidth first; a rendition is listed once per audio
/// group it plays with) and audio renditions by group.
export function parseMaster(text, base) {
  const variants = [];
  const audio = {};
  const all = lines(text);
  for (let i = 0; i < all.length; i++) {
    const line = all[i];
    if (line.startsWith('#EXT-X-MEDIA:')) {
      const a = parseAttributes(line.slice(13));
      if (a.TYPE === 'AUDIO' && a.URI) {
        (audio[a['GROUP-ID']] ||= []).push({
          uri: new URL(a.URI, base).href,
          id: a.URI.split('/')[0],
          group: a['GROUP-ID'],
          name: a.NAME || '',
          language: a.LANGUAGE || '',
          // CHANNELS is "6" or "16/JOC": the count comes first.
          channels: parseInt(a.CHANNELS, 10) || 0,
          isDefault: a.DEFAULT === 'YES',
        });
      }
    } else if (line.startsWith('#EXT-X-STREAM-INF:')) {
      const a = parseAttributes(line.slice(18));
      const uri = all[i + 1];
      if (!uri || uri.startsWith('#')) continue;
      const [width, height] = (a.RESOLUTION || 'x').split('x').map(Number);
      variants.push({
        uri: new URL(uri, base).href,
        id: uri.split('/')[0],
        bandwidth: Number(a.BANDWIDTH) || 0,
        averageBandwidth: Number(a['AVERAGE-BANDWIDTH']) || Number(a.BANDWIDTH) || 0,
        codecs: (a.CODECS || '').split(',').map((c) => c.trim()).filter(Boolean),
        width: width || 0,
        height: height || 0,
        audioGroup: a.AUDIO || null,
        order: variants.length, // the master's order: its first variant's audio group plays first
      });
    }
  }
  variants.sort((x, y) => x.bandwidth - y.bandwidth);
  return { variants, audio };
}

/// The init segment and the media segments with their start times; `live` while the playlist
/// may still grow (no EXT-X-ENDLIST), with the URL and target duration to reload it by.
export function parseMedia(text, base) {
  let init = null;
  let duration = 0;
  let targetDuration = 0;
  let live = true;
  const segments = [];
  let pending = null;
  for (const line of lines(text)) {
    if (line === '#EXT-X-ENDLIST') {
      live = false;
    } else if (line.startsWith('#EXT-X-TARGETDURATION:')) {
      targetDuration = parseFloat(line.slice(22)) || 0;
    } else if (line.startsWith('#EXT-X-MAP:')) {
      init = new URL(parseAttributes(line.slice(11)).URI, base).href;
    } else if (line.startsWith('#EXTINF:')) {
      pending = parseFloat(line.slice(8));
    } else if (!line.startsWith('#') && pending !== null) {
      segments.push({ uri: new URL(line, base).href, start: duration, duration: pending });
      duration += pending;
      pending = null;
    }
  }
  if (!init) throw new Error('the media playlist has no EXT-X-MAP init segment');
  return { init, segments, duration, live, uri: base, targetDuration };
}

const VIDEO_CODECS = /^(avc1|avc3|hvc1|hev1|av01|vp09|vp8|vp9)/;
// Subtitle formats a variant's CODECS names (RFC 8216 §4.3.4.2): never a SourceBuffer's.
const TEXT_CODECS = /^(wvtt|stpp)/;

/// Splits a variant's CODECS into its video and audio codecs.
export function splitCodecs(codecs) {
  return {
    video: codecs.filter((c) => VIDEO_CODECS.test(c)),
    audio: codecs.filter((c) => !VIDEO_CODECS.test(c) && !TEXT_CODECS.test(c)),
  };
}
