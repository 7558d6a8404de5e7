// Both manifest readers end in one model that player.js feeds to MediaSource:
//   variants:    video renditions the browser can decode, lowest bandwidth first, each
//                { id, bandwidth, codecs: [video codec], width, height, playlist }
//   audioTracks: separate audio renditions the browser can decode, each { id, label, language,
//                channels, codecs, isDefault, playlist }; the viewer's audio menu lists them
//   audioIndex:  the one that plays first (the manifest's default), or -1 when there are none
//   muxedAudio:  audio codecs carried inside the video segments (HLS without EXT-X-MEDIA)
//   textTracks:  [{ uri, language, label, isDefault }] WebVTT captions
// where a playlist is { init, segments: [{ uri, start, duration }], duration } in seconds;
// an HLS playlist that may still grow (EVENT, no EXT-X-ENDLIST) also has `live: true`, `uri`
// and `targetDuration`, and refreshPlaylist() brings it up to date.
import { parseMaster, parseMedia, splitCodecs } from './hls.js';
import { labelTracks } from './audio.js';

/// `fetchText(url)` reads a manifest; `supported(codec)` says whether MediaSource takes a video
/// codec, `supportedAudio(codec)` an audio one.
export async function loadManifest(url, format, fetchText, supported, supportedAudio = () => true) {
  const model = format === 'dash' ? await loadDASH(url, fetchText, supported, supportedAudio) : await loadHLS(url, fetchText, supported, supportedAudio);
  labelTracks(model.audioTracks);
  model.audioIndex = model.audioTracks.length ? Math.max(0, model.audioTracks.findIndex((track) => track.isDefault)) : -1;
  return model;
}

/// Reloads a live playlist and appends the segments it gained; `live` turns false with
/// EXT-X-ENDLIST. An EVENT playlist only ever grows at its end (RFC 8216 §4.3.3.5), so what is
/// known keeps its place and the player's indices stay valid.
export async function refreshPlaylist(playlist, fetchText) {
  const fresh = parseMedia(await fetchText(playlist.uri), playlist.uri);
  for (const segment of fresh.segments.slice(playlist.segments.length)) {
    playlist.segments.push({ ...segment, start: playlist.duration });
    playlist.duration += segment.duration;
  }
  playlist.live = fresh.live;
}

async function loadHLS(url, fetchText, supported, supportedAudio) {
  const master = parseMaster(await fetchText(url), url);
  const listed = master.variants.filter((variant) => {
    const { video } = splitCodecs(variant.codecs);
    return video.length && supported(video[0]);
  });
  if (!listed.length) return { variants: [], audioTracks: [], muxedAudio: [], textTracks: [], duration: 0 };
  // The group of the master's first variant plays first (the stereo group, by our contract);
  // a rendition listed again with another group is the same video: one entry in the ladder.
  const firstGroup = listed.reduce((first, variant) => (variant.order < first.order ? variant : first)).audioGroup;
  const groupCodec = {};
  for (const variant of listed) {
    if (variant.audioGroup && !(variant.audioGroup in groupCodec)) groupCodec[variant.audioGroup] = splitCodecs(variant.codecs).audio[0] || '';
  }
  const usable = [];
  for (const variant of listed) {
    const same = usable.findIndex((kept) => kept.uri === variant.uri);
    if (same === -1) usable.push(variant);
    else if (variant.audioGroup === firstGroup) usable[same] = variant;
  }
  const groups = Object.keys(groupCodec).sort((a, b) => (a === firstGroup ? -1 : b === firstGroup ? 1 : 0));
  const renditions = groups.flatMap((group) => (master.audio[group] || [])
    .filter((rendition) => groupCodec[group] && supportedAudio(groupCodec[group]))
    .map((rendition) => ({ ...rendition, codecs: groupCodec[group], isDefault: group === firstGroup && rendition.isDefault })));
  if (renditions.length && !renditions.some((rendition) => rendition.isDefault)) renditions[0].isDefault = true;
  const [playlists, audioPlaylists] = await Promise.all([
    Promise.all(usable.map(async (variant) => parseMedia(await fetchText(variant.uri), variant.uri))),
    Promise.all(renditions.map(async (rendition) => parseMedia(await fetchText(rendition.uri), rendition.uri))),
  ]);
  const variants = usable.map((variant, i) => ({
    id: variant.id,
    bandwidth: variant.bandwidth,
    codecs: splitCodecs(variant.codecs).video.slice(0, 1),
    width: variant.width,
    height: variant.height,
    playlist: playlists[i],
  }));
  const audioTracks = renditions.map((rendition, i) => ({
    id: rendition.id, name: rendition.name, language: rendition.language, channels: rendition.channels,
    codecs: rendition.codecs, isDefault: rendition.isDefault, playlist: audioPlaylists[i],
  }));
  return {
    variants,
    audioTracks,
    muxedAudio: audioTracks.length || firstGroup ? [] : splitCodecs(usable[0].codecs).audio,
    textTracks: [],
    duration: Math.max(...playlists.map((p) => p.duration), ...audioPlaylists.map((p) => p.duration)),
  };
}

async function loadDASH(url, fetchText, supported, supportedAudio) {
  // Loaded only when asked for, so the HLS watch page does not carry it.
  const { parseMPD } = await import('./dash.js');
  const model = parseMPD(await fetchText(url), url);
  const variants = model.variants.filter((variant) => variant.codecs.length && supported(variant.codecs[0]));
  const audioTracks = model.audioTracks.filter((track) => supportedAudio(track.codecs));
  const duration = model.duration || Math.max(0, ...variants.map((v) => v.playlist.duration), ...audioTracks.map((t) => t.playlist.duration));
  return { variants, audioTracks, muxedAudio: [], textTracks: model.textTracks, duration };
}
