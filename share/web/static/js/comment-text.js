// A comment's plain text as DOM nodes: text nodes for everything a user wrote, plus three kinds
// of link made here, never from the text's markup: web links (`http://`, `https://`, `www.`,
// marked rel="nofollow ugc"), @mentions of accounts that have a channel page, and `1:23`
// timestamps that seek the page's player. The rules follow KinoraCore's CommentText, which
// counts the same links and mentions on the server. Nothing here parses HTML: a `<script>` in
// a comment stays the characters `<script>`.

const LINK_START = /^(https?:\/\/|www\.)/i;
// Punctuation that ends a sentence rather than a link: "see https://example.org."
const LINK_TRAIL = /[.,;:!?)\]}'"]+$/;
// What CommentText.timestamps trims around a position before reading it.
const STAMP_EDGES = /^([.,;:!?()[\]]*)(.*?)([.,;:!?()[\]]*)$/;
const NAME_CHAR = /[A-Za-z0-9._-]/;

/// Seconds of `m:ss` or `h:mm:ss` (each part one or two digits, the later ones two digits
/// below 60), or null.
export function timestampSeconds(text) {
  const parts = text.split(':');
  if (parts.length < 2 || parts.length > 3) return null;
  if (!parts.every((part) => /^[0-9]{1,2}$/.test(part))) return null;
  const numbers = parts.map(Number);
  if (!parts.slice(1).every((part, index) => part.length === 2 && numbers[index + 1] < 60)) return null;
  return numbers.reduce((total, value) => total * 60 + value, 0);
}

function link(href, text, className, rel) {
  const anchor = document.createElement('a');
  anchor.href = href;
  anchor.textContent = text;
  if (className) anchor.className = className;
  if (rel) anchor.rel = rel;
  return anchor;
}

/// A web link for `word`, or null when it is not one a browser would follow to the web.
function webLink(word) {
  const href = /^www\./i.test(word) ? `https://${word}` : word;
  try {
    const url = new URL(href);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  } catch {
    return null;
  }
  return link(href, word, 'comment-link', 'nofollow ugc');
}

/// `word` with each resolved @mention as a link to the account's channel.
function withMentions(word, channels, out) {
  let text = '';
  let index = 0;
  while (index < word.length) {
    const at = word[index] === '@' && (index === 0 || !NAME_CHAR.test(word[index - 1]));
    if (!at) {
      text += word[index];
      index += 1;
      continue;
    }
    let end = index + 1;
    while (end < word.length && NAME_CHAR.test(word[end])) end += 1;
    let name = word.slice(index + 1, end);
    // A sentence's full stop is not part of the name.
    while (name.endsWith('.')) name = name.slice(0, -1);
    const channel = name.length >= 3 && name.length <= 32 ? channels.get(name.toLowerCase()) : undefined;
    if (!channel) {
      text += word.slice(index, index + 1 + name.length);
      index += 1 + name.length;
      continue;
    }
    if (text) out.push(document.createTextNode(text));
    text = '';
    out.push(link(`/channel/${encodeURIComponent(channel)}`, `@${name}`, 'comment-mention'));
    index += 1 + name.length;
  }
  if (text) out.push(document.createTextNode(text));
}

/// Fills `target` with `text` as nodes. `mentions` is the comment's API list
/// (`{username, channel}`); `watchPath` is the video's page, which timestamp links point to
/// (`?t=` seeks there without JavaScript; comments.js seeks the player in place).
export function renderBody(target, text, mentions, watchPath) {
  const channels = new Map();
  for (const mention of mentions || []) {
    if (mention.channel) channels.set(String(mention.username).toLowerCase(), mention.channel);
  }
  const nodes = [];
  for (const part of String(text).split(/(\s+)/)) {
    if (!part) continue;
    if (/^\s+$/.test(part)) {
      nodes.push(document.createTextNode(part));
      continue;
    }
    if (LINK_START.test(part)) {
      const trail = part.match(LINK_TRAIL)?.[0] || '';
      const anchor = webLink(part.slice(0, part.length - trail.length));
      if (anchor) {
        nodes.push(anchor);
        if (trail) nodes.push(document.createTextNode(trail));
        continue;
      }
    }
    const [, before, core, after] = part.match(STAMP_EDGES);
    const seconds = timestampSeconds(core);
    if (seconds !== null) {
      if (before) nodes.push(document.createTextNode(before));
      const anchor = link(`${watchPath}?t=${seconds}`, core, 'comment-timestamp');
      anchor.dataset.seconds = String(seconds);
      nodes.push(anchor);
      if (after) nodes.push(document.createTextNode(after));
      continue;
    }
    withMentions(part, channels, nodes);
  }
  target.replaceChildren(...nodes);
}
