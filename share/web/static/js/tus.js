// A small tus 1.0 client for the studio's upload page: creates the upload (POST with
// Upload-Length and Upload-Metadata), then sends the file in chunks (PATCH at Upload-Offset).
// The upload URL is remembered per file fingerprint in localStorage, so a reload finds it
// again (HEAD gives the offset to continue from); a dropped connection is retried with backoff.

const ENDPOINT = '/api/v1/uploads';
const STORE_PREFIX = 'kinora.tus.';
const RETRY_DELAYS = [500, 1000, 2000, 4000, 8000, 15000];

export function fingerprint(file) {
  return `${STORE_PREFIX}${file.name}:${file.size}:${file.lastModified}`;
}

function encodeMetadata(metadata) {
  return Object.entries(metadata)
    .filter(([, value]) => value !== undefined && value !== null && value !== '')
    .map(([key, value]) => {
      const bytes = new TextEncoder().encode(String(value));
      let binary = '';
      for (const byte of bytes) binary += String.fromCharCode(byte);
      return `${key} ${btoa(binary)}`;
    })
    .join(',');
}

class TusError extends Error {
  constructor(message, status, retryable) {
    super(message);
    this.status = status;
    this.retryable = retryable;
  }
}

async function problemMessage(response) {
  try {
    const problem = await response.json();
    return problem.detail || problem.title || `The server answered ${response.status}.`;
  } catch {
    return `The server answered ${response.status}.`;
  }
}

export class TusUpload {
  /// `csrf` is a function returning a fresh CSRF token; `on` holds progress, retry and
  /// complete callbacks.
  constructor(file, { metadata, chunkSize, csrf, on }) {
    this.file = file;
    this.metadata = metadata;
    this.chunkSize = chunkSize;
    this.csrf = csrf;
    this.on = on;
    this.key = fingerprint(file);
    this.url = null;
    this.offset = 0;
    this.paused = false;
    this.controller = null;
  }

  /// The upload URL a previous page left for this very file, if any.
  get remembered() {
    return localStorage.getItem(this.key);
  }

  async headers(extra) {
    return { 'Tus-Resumable': '1.0.0', 'X-CSRF-Token': (await this.csrf()) || '', ...extra };
  }

  async send(method, url, extra, body) {
    this.controller = new AbortController();
    let response;
    try {
      response = await fetch(url, { method, headers: await this.headers(extra), body, credentials: 'same-origin', signal: this.controller.signal });
    } catch (error) {
      if (this.paused) throw new TusError('paused', 0, false);
      throw new TusError('The connection was lost.', 0, true);
    }
    return response;
  }

  /// Finds the remembered upload's offset, or creates a new upload.
  async prepare() {
    const remembered = this.remembered;
    if (remembered) {
      const response = await this.send('HEAD', remembered, {});
      if (response.ok) {
        this.url = remembered;
        this.offset = Number(response.headers.get('Upload-Offset')) || 0;
        const videoID = response.headers.get('Kinora-Video-Id');
        if (videoID) return videoID;
        return null;
      }
      if (response.status >= 500 || response.status === 423) throw new TusError(await problemMessage(response), response.status, true);
      // Gone, expired or not ours: start again.
      localStorage.removeItem(this.key);
    }
    const response = await this.send('POST', ENDPOINT, {
      'Upload-Length': String(this.file.size),
      'Upload-Metadata': encodeMetadata(this.metadata),
    });
    if (response.status !== 201) {
      throw new TusError(await problemMessage(response), response.status, response.status >= 500);
    }
    this.url = new URL(response.headers.get('Location'), location.href).pathname;
    this.offset = Number(response.headers.get('Upload-Offset')) || 0;
    localStorage.setItem(this.key, this.url);
    return null;
  }

  /// Uploads until done or paused; resolves with the video id when the upload completes.
  async start() {
    this.paused = false;
    let attempt = 0;
    for (;;) {
      try {
        return await this.run();
      } catch (error) {
        if (this.paused) return null;
        if (!error.retryable || attempt >= RETRY_DELAYS.length) throw error;
        const delay = RETRY_DELAYS[attempt++];
        this.on.retry?.(delay, error);
        await new Promise((resolve) => setTimeout(resolve, delay));
        if (this.paused) return null;
        // The offset the server has is the truth after a failed PATCH.
        this.url = null;
      }
    }
  }

  async run() {
    if (!this.url) {
      const finished = await this.prepare();
      if (finished) return this.finish(finished);
    }
    this.on.progress?.(this.offset, this.file.size);
    while (!this.paused) {
      const end = Math.min(this.offset + this.chunkSize, this.file.size);
      const response = await this.send('PATCH', this.url, {
        'Content-Type': 'application/offset+octet-stream',
        'Upload-Offset': String(this.offset),
      }, this.file.slice(this.offset, end));
      if (response.status !== 204) {
        // A conflict means our offset is stale, a lock that the server still finishes the
        // request a pause cut off: ask the server for the offset again.
        const retryable = response.status >= 500 || response.status === 409 || response.status === 423;
        throw new TusError(await problemMessage(response), response.status, retryable);
      }
      this.offset = Number(response.headers.get('Upload-Offset')) || end;
      this.on.progress?.(this.offset, this.file.size);
      const videoID = response.headers.get('Kinora-Video-Id');
      if (videoID || this.offset >= this.file.size) return this.finish(videoID);
    }
    return null;
  }

  finish(videoID) {
    localStorage.removeItem(this.key);
    return videoID;
  }

  /// Stops after aborting the chunk in flight; `start()` continues from the server's offset.
  pause() {
    this.paused = true;
    this.controller?.abort();
    this.url = null;
  }
}
