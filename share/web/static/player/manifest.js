// Both manifest readers end in one model that player.js feeds to MediaSource:
//   variants:   video renditions the browser can decode, lowest bandwidth first, each
//               { id, bandwidth, codecs: [video codec], width, height, playlist }
//   audio:      { codecs, playlist } of a separate audio rendition, or null
//   muxedAudio: audio codecs carried inside the video segments (HLS without EXT-X-MEDIA)
//   textTracks: [{ uri, language, label }] WebVTT captions
// where a playlist is { init, segments: [{ uri, start, duration }], duration } in seconds.
import { parseMaster, parseMedia, splitCodecs } from './hls.js';

/// `fetchText(url)` reads a manifest; `supported(codec)` says whether MediaSource takes a video codec.
export async function loadManifest(url, format, fetchText, supported) {
  return format === 'dash' ? loadDASH(url, fetchText, supported) : loadHLS(url, fetchText, supported);
}

async function loadHLS(url, fetchText, supported) {
  const master = parseMaster(await fetchText(url), url);
  const usable = master.variants.filter((variant) => {
    const { video } = splitCodecs(variant.codecs);
    return video.length && supported(video[0]);
  });
  if (!usable.length) return { variants: [], audio: null, muxedAudio: [], textTracks: [], duration: 0 };
  const first = usable[0];
  const group = first.audioGroup && master.audio[first.audioGroup];
  const audioRendition = group ? (group.find((a) => a.isDefault) || group[0]) : null;
  const [playlists, audioPlaylist] = await Promise.all([
    Promise.all(usable.map(async (variant) => parseMedia(await fetchText(variant.uri), variant.uri))),
    audioRendition ? fetchText(audioRendition.uri).then((text) => parseMedia(text, audioRendition.uri)) : null,
  ]);
  const codecs = splitCodecs(first.codecs);
  const variants = usable.map((variant, i) => ({
    id: variant.id,
    bandwidth: variant.bandwidth,
    codecs: splitCodecs(variant.codecs).video.slice(0, 1),
    width: variant.width,
    height: variant.height,
    playlist: playlists[i],
  }));
  return {
    variants,
    audio: audioPlaylist && codecs.audio.length ? { codecs: codecs.audio[0], playlist: audioPlaylist } : null,
    muxedAudio: audioPlaylist ? [] : codecs.audio,
    textTracks: [],
    duration: Math.max(...playlists.map((p) => p.duration), audioPlaylist ? audioPlaylist.duration : 0),
  };
}

async function loadDASH(url, fetchText, supported) {
  // Loaded only when asked for, so the HLS watch page does not carry it.
  const { parseMPD } = await import('./dash.js');
  const model = parseMPD(await fetchText(url), url);
  const variants = model.variants.filter((variant) => variant.codecs.length && supported(variant.codecs[0]));
  const duration = model.duration || Math.max(0, ...variants.map((v) => v.playlist.duration), model.audio ? model.audio.playlist.duration : 0);
  return { variants, audio: model.audio, muxedAudio: [], textTracks: model.textTracks, duration };
}
