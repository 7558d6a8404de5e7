// The Media Session API: what the phone's lock screen, the notification shade and hardware
// media keys show and control (title, channel, poster; play, pause, seek). Without it a phone
// shows the page's address and its keys do nothing.
const SKIP = 10; // seconds, as the double tap and most lock screens use

/// `details`: { title, artist, artwork: [{ src, sizes?, type? }] }.
export function bindMediaSession(video, details) {
  const session = navigator.mediaSession;
  if (!session) return false;
  const artwork = details.artwork.filter((image) => image.src).map((image) => ({ ...image, src: new URL(image.src, location.href).href }));
  session.metadata = new MediaMetadata({ title: details.title, artist: details.artist || '', album: 'Kinora', artwork });
  const seekTo = (time) => {
    const end = Number.isFinite(video.duration) ? video.duration : Infinity;
    video.currentTime = Math.min(Math.max(0, time), end);
  };
  const handlers = {
    play: () => video.play().catch(() => {}),
    pause: () => video.pause(),
    stop: () => { video.pause(); seekTo(0); },
    seekbackward: (event) => seekTo(video.currentTime - (event.seekOffset || SKIP)),
    seekforward: (event) => seekTo(video.currentTime + (event.seekOffset || SKIP)),
    seekto: (event) => {
      if (event.fastSeek && 'fastSeek' in video) video.fastSeek(event.seekTime);
      else seekTo(event.seekTime);
    },
  };
  for (const [action, handler] of Object.entries(handlers)) {
    try {
      session.setActionHandler(action, handler);
    } catch {
      // An action this browser does not know (older ones lack stop or seekto).
    }
  }
  const position = () => {
    if (!session.setPositionState || !Number.isFinite(video.duration) || video.duration <= 0) return;
    try {
      session.setPositionState({ duration: video.duration, playbackRate: video.playbackRate || 1, position: Math.min(video.currentTime, video.duration) });
    } catch {
      // A position past the duration while the two update.
    }
  };
  video.addEventListener('play', () => { session.playbackState = 'playing'; position(); });
  video.addEventListener('pause', () => { session.playbackState = 'paused'; position(); });
  for (const event of ['durationchange', 'seeked', 'ratechange', 'loadedmetadata']) video.addEventListener(event, position);
  return true;
}
