// Runs in the page (Selenium's execute_async_script; browser_lipsync.py): plays a flash-and-beep
// video from the start to the end and returns what Chromium decoded and presented, raw:
//   frames:  every presented video frame (requestVideoFrameCallback): its media time and mean
//            brightness, read back by drawing that frame onto a small canvas;
//   onsets:  the audio context frame of every beep onset, found in the element's own output by
//            an AudioWorklet behind a MediaElementAudioSourceNode (the first sample at or above
//            `threshold` after 0.3 s below it);
//   clocks:  pairs (video.currentTime, audioContext.currentTime) taken together every few ms,
//            which map an audio context frame to the media time of the sample it carries.
// arguments: [mode, src, threshold, done]; mode 'page' plays the page's #video (our player
// drives it), mode 'native' makes a <video src=SRC> of its own (Chromium's native HLS).
//
// Why media time, not the wall clock: routed into Web Audio, Chromium's media clock counts the
// samples the graph pulls (no output delay), so frames are shown ahead of the audible sound by
// the graph's output latency (~40 ms headless), an effect of the tap that a viewer never hears.
// The samples pulled and the media clock move together, so a sample's media time is its audio
// context time plus (currentTime - audioContext.currentTime), both read in one task. The
// context runs at 48 kHz, the rate of the streams: with a resampler between the element and the
// graph, it pulls ahead of what it hands on and the measure would be ~2 ms early.
const [mode, src, threshold, done] = arguments;

const WORKLET = `
class Onsets extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.threshold = options.processorOptions.threshold;
    this.lastLoud = -Infinity;
    this.peak = 0;
  }
  process(inputs) {
    const input = inputs[0];
    if (input && input.length) {
      for (let i = 0; i < input[0].length; i++) {
        let level = 0;
        for (const channel of input) level = Math.max(level, Math.abs(channel[i]));
        this.peak = Math.max(this.peak, level);
        if (level < this.threshold) continue;
        const frame = currentFrame + i;
        if (frame - this.lastLoud > 0.3 * sampleRate) this.port.postMessage({ frame, channels: input.length });
        this.lastLoud = frame;
      }
    }
    return true;
  }
}
registerProcessor('onsets', Onsets);
`;

function waitFor(what, check, seconds) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const poll = () => {
      const value = check();
      if (value) return resolve(value);
      if (performance.now() - started > seconds * 1000) return reject(new Error(`timed out after ${seconds} s waiting for ${what}`));
      setTimeout(poll, 50);
    };
    poll();
  });
}

function event(target, name) {
  return new Promise((resolve) => target.addEventListener(name, resolve, { once: true }));
}

async function measure() {
  let video;
  if (mode === 'native') {
    video = document.createElement('video');
    const support = video.canPlayType('application/vnd.apple.mpegurl');
    if (!support) return { canPlayType: support, error: "this Chromium's canPlayType('application/vnd.apple.mpegurl') is empty: no native HLS" };
    video.src = src;
    document.body.append(video);
  } else {
    video = document.getElementById('video');
  }
  const failure = () => video.error && `the video element failed: ${video.error.code} ${video.error.message}`;
  const message = () => { const m = document.querySelector('.player-message'); return m && !m.hidden ? m.textContent : ''; };
  await waitFor('the first frame (readyState >= 2)', () => {
    if (failure() || message()) throw new Error(failure() || `the player says: ${message()}`);
    return video.readyState >= 2;
  }, 30);
  video.pause(); // the watch page starts playing by itself; the measure starts from 0

  const audio = new AudioContext({ sampleRate: 48000 });
  await audio.audioWorklet.addModule(URL.createObjectURL(new Blob([WORKLET], { type: 'text/javascript' })));
  const detector = new AudioWorkletNode(audio, 'onsets', { processorOptions: { threshold } });
  // The detector's output is silence; joined to the destination so the graph pulls it.
  audio.createMediaElementSource(video).connect(detector).connect(audio.destination);
  await audio.resume();
  if (audio.state !== 'running') throw new Error(`the AudioContext is ${audio.state}, not running (autoplay policy?)`);
  const onsets = [];
  detector.port.onmessage = (e) => onsets.push(e.data);

  if (video.currentTime !== 0) {
    const seeked = event(video, 'seeked');
    video.currentTime = 0;
    await seeked;
  }
  const canvas = Object.assign(document.createElement('canvas'), { width: 8, height: 8 });
  const context = canvas.getContext('2d', { willReadFrequently: true });
  const frames = [];
  const clocks = [];
  const sample = () => clocks.push([video.currentTime, audio.currentTime, video.paused || video.seeking || video.readyState < 3 ? 0 : 1]);
  const onFrame = (now, metadata) => {
    context.drawImage(video, 0, 0, 8, 8);
    const pixels = context.getImageData(0, 0, 8, 8).data;
    let sum = 0;
    for (let i = 0; i < pixels.length; i += 4) sum += 0.2126 * pixels[i] + 0.7152 * pixels[i + 1] + 0.0722 * pixels[i + 2];
    frames.push([metadata.mediaTime, sum / 64]);
    sample();
    if (!stopped) video.requestVideoFrameCallback(onFrame);
  };
  let stopped = false;
  video.requestVideoFrameCallback(onFrame);
  const sampler = setInterval(sample, 4);
  const started = performance.now();
  await video.play();
  const duration = video.duration;
  await waitFor('the end of the video', () => {
    if (failure() || message()) throw new Error(failure() || `the player says: ${message()}`);
    return video.ended || video.currentTime >= duration - 0.05;
  }, duration + 30);
  stopped = true;
  clearInterval(sampler);
  const result = {
    mode, src: video.currentSrc, duration, wall: (performance.now() - started) / 1000, sampleRate: audio.sampleRate,
    outputLatency: audio.outputLatency, baseLatency: audio.baseLatency, canPlayType: video.canPlayType('application/vnd.apple.mpegurl'),
    frames, onsets, clocks,
  };
  await audio.close();
  return result;
}

measure().then(done, (error) => done({ error: String(error && error.message || error) }));
