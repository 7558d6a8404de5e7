// The watch page's comments, drawn from the API into the page's <template id="comment-template">:
// top-level comments (GET /api/v1/videos/{id}/comments, by top or new, "Load more" with the
// cursor), each with its first replies and "Show more replies" (GET /api/v1/comments/{id}/replies).
// Two levels are shown: replying to a reply answers its thread with an @mention, and the
// rarer deeper replies (made through the API) open under their parent, on the second level.
// Accounts post, reply, edit and delete their own comments, like and report others'; moderators
// remove with a reason; the video's owner pins one. Every text is set as text (comment-text.js).
import { request, csrfToken } from './api.js';
import { renderBody } from './comment-text.js';
import { openReport } from './report.js';

const section = document.getElementById('comments');
const PAGE = 20;
const REPLY_PAGE = 20;

const units = [['year', 31536000], ['month', 2592000], ['week', 604800], ['day', 86400], ['hour', 3600], ['minute', 60]];

/// "3 minutes ago", "yesterday": when a comment was written, in the browser's language.
function ago(iso) {
  const seconds = (Date.now() - Date.parse(iso)) / 1000;
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  for (const [unit, size] of units) {
    if (seconds >= size) return format.format(-Math.floor(seconds / size), unit);
  }
  return 'just now';
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function button(label, className) {
  const node = element('button', className, label);
  node.type = 'button';
  return node;
}

if (section) {
  const videoID = section.dataset.videoId;
  const me = section.dataset.me || null;
  const moderator = section.dataset.moderator === 'true';
  const open = section.dataset.open === 'true';
  const canPin = section.dataset.canPin === 'true';
  const signIn = section.dataset.signIn || '/login';
  const watchPath = `/watch/${encodeURIComponent(videoID)}`;
  const list = document.getElementById('comment-list');
  const more = document.getElementById('comments-more');
  const sortMenu = document.getElementById('comment-sort');
  const status = document.getElementById('comments-status');
  const countLabel = document.getElementById('comment-count');
  const template = document.getElementById('comment-template');
  const comments = new WeakMap();
  let count = Number(countLabel.textContent.split(' ')[0]) || 0;
  let cursor = null;
  let generation = 0;

  const changeCount = (by) => {
    count = Math.max(0, count + by);
    countLabel.textContent = count === 1 ? '1 comment' : `${count} comments`;
  };

  /// The thread (top-level comment) an element of the list belongs to.
  const threadOf = (item) => (item.dataset.level === '1' ? item : item.parentElement.closest('li.comment'));

  function fill(item, comment) {
    comments.set(item, comment);
    item.dataset.commentId = comment.id;
    item.dataset.status = comment.status;
    const box = item.querySelector(':scope > .comment-box');
    const find = (selector) => box.querySelector(selector);
    const deleted = comment.status === 'deleted';
    const published = comment.status === 'published';
    const mine = Boolean(me && comment.author?.id === me);
    const author = comment.author;
    find('.comment-author').textContent = deleted ? '[deleted]' : (author?.display_name || author?.username || 'Deleted account');
    find('.comment-username').textContent = !deleted && author?.username && author.display_name && author.display_name !== author.username
      ? `@${author.username}` : '';
    const time = find('.comment-time');
    time.dateTime = comment.created_at;
    time.textContent = ago(comment.created_at);
    time.title = new Date(comment.created_at).toLocaleString();
    find('.comment-edited').hidden = !comment.edited_at || deleted;
    const badge = find('.comment-badge');
    const badgeText = { held: 'Held for review', removed: 'Removed' }[comment.status] || (item.dataset.pinned === 'true' ? 'Pinned' : '');
    badge.textContent = badgeText;
    badge.className = `comment-badge badge-${comment.status}`;
    badge.hidden = !badgeText;
    const body = find('.comment-body');
    if (deleted) {
      body.textContent = 'This comment was deleted.';
      body.classList.add('muted');
    } else {
      renderBody(body, comment.body, comment.mentions, watchPath);
      body.classList.remove('muted');
    }
    const note = find('.comment-note');
    note.textContent = comment.status === 'held'
      ? (mine ? 'Only you and the moderators see this comment until a moderator approves it.' : 'Waiting in the moderation queue.')
      : comment.status === 'removed'
        ? (comment.removed_reason ? `Removed by a moderator: ${comment.removed_reason}` : 'Removed: the site\'s moderation rules do not allow it.')
        : '';
    note.hidden = !note.textContent;

    for (const rate of box.querySelectorAll('.comment-rate')) {
      rate.hidden = !published;
      rate.setAttribute('aria-pressed', String(comment.my_rating === rate.dataset.rating));
    }
    find('.like-count').textContent = String(comment.likes);
    find('.dislike-count').textContent = String(comment.dislikes);
    find('.comment-reply').hidden = !(open && published && me);
    find('.comment-edit').hidden = !(mine && !deleted && comment.status !== 'removed');
    find('.comment-delete').hidden = !(mine && !deleted);
    find('.comment-remove').hidden = !(moderator && !mine && !deleted && comment.status !== 'removed');
    const pin = find('.comment-pin');
    pin.hidden = !(canPin && item.dataset.level === '1' && published);
    pin.textContent = item.dataset.pinned === 'true' ? 'Unpin' : 'Pin';
    find('.comment-report').hidden = !(me && !mine && published);
    const deeper = find('.comment-subreplies');
    const replies = comment.reply_count;
    deeper.hidden = !(item.dataset.level === '2' && replies > 0 && item.dataset.expanded !== 'true');
    deeper.textContent = replies === 1 ? 'Show 1 reply' : `Show ${replies} replies`;
  }

  function draw(comment, level, { pinned = false } = {}) {
    const item = template.content.firstElementChild.cloneNode(true);
    item.dataset.level = String(level);
    if (pinned) item.dataset.pinned = 'true';
    if (level === 2) item.classList.add('reply');
    fill(item, comment);
    return item;
  }

  function drawThread(thread, options) {
    const item = draw(thread, 1, options);
    const replies = item.querySelector('.replies');
    for (const reply of thread.replies || []) replies.append(draw(reply, 2));
    setMoreReplies(item, thread.replies_next_cursor);
    return item;
  }

  function setMoreReplies(item, next) {
    const moreReplies = item.querySelector(':scope > .more-replies');
    moreReplies.dataset.cursor = next || '';
    moreReplies.hidden = !next;
  }

  async function load(reset) {
    const mine = reset ? ++generation : generation;
    const query = new URLSearchParams({ sort: sortMenu.value, limit: String(PAGE) });
    if (!reset && cursor) query.set('cursor', cursor);
    more.disabled = true;
    try {
      const page = await request('GET', `/api/v1/videos/${encodeURIComponent(videoID)}/comments?${query}`);
      if (mine !== generation) return; // a newer sort was chosen meanwhile
      if (reset) {
        list.replaceChildren();
        list.dataset.sort = sortMenu.value; // what is shown, for the browser tests
      }
      if (reset && page.pinned) list.append(drawThread(page.pinned, { pinned: true }));
      for (const thread of page.items) list.append(drawThread(thread));
      cursor = page.next_cursor;
      more.hidden = !cursor;
      status.textContent = list.children.length ? '' : (open ? 'No comments yet.' : '');
    } catch (failure) {
      status.textContent = `The comments could not be loaded: ${failure.message}`;
    } finally {
      more.disabled = false;
    }
  }

  /// A small form in the comment's slot (one at a time): a text field and buttons; `submit`
  /// gets the field's value and throws to show a message.
  function slotForm(item, { multiline, value = '', label, submitLabel, placeholder = '', submit, danger = false, field = true }) {
    const slot = item.querySelector(':scope > .comment-box > .comment-slot');
    const form = element('form', 'comment-slot-form');
    form.noValidate = true;
    let input = null;
    if (field) {
      const id = `slot-${item.dataset.commentId}`;
      const caption = element('label', 'visually-hidden', label);
      caption.htmlFor = id;
      input = element(multiline ? 'textarea' : 'input', 'slot-field');
      input.id = id;
      if (multiline) input.rows = 2;
      input.value = value;
      input.placeholder = placeholder;
      form.append(caption, input);
    } else {
      form.append(element('span', 'slot-question', label));
    }
    const send = element('button', danger ? 'danger-button slot-submit' : 'slot-submit', submitLabel);
    send.type = 'submit';
    const cancel = button('Cancel', 'secondary slot-cancel');
    const error = element('p', 'form-error slot-error');
    error.setAttribute('role', 'alert');
    const buttons = element('div', 'slot-buttons');
    buttons.append(send, cancel);
    form.append(buttons, error);
    cancel.addEventListener('click', () => slot.replaceChildren());
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.textContent = '';
      send.disabled = true;
      try {
        await submit(input ? input.value : '');
        slot.replaceChildren();
      } catch (failure) {
        error.textContent = failure.message;
      } finally {
        send.disabled = false;
      }
    });
    slot.replaceChildren(form);
    (input || send).focus();
    if (input && value) input.setSelectionRange(value.length, value.length);
  }

  const path = (item) => `/api/v1/comments/${encodeURIComponent(item.dataset.commentId)}`;

  const actions = {
    'comment-rate': async (item, pressed) => {
      if (!me) { location.assign(signIn); return; }
      const comment = comments.get(item);
      const rating = comment.my_rating === pressed.dataset.rating ? 'none' : pressed.dataset.rating;
      const counts = await request('PUT', `${path(item)}/rating`, { rating }, await csrfToken());
      fill(item, { ...comment, ...counts });
    },
    'comment-reply': (item) => {
      const thread = threadOf(item);
      const author = comments.get(item).author?.username;
      // A reply to a reply answers the thread, naming whom it answers.
      const value = item === thread || !author ? '' : `@${author} `;
      slotForm(item, {
        multiline: true, value, label: 'Your reply', submitLabel: 'Reply', placeholder: 'Add a reply…',
        submit: async (text) => {
          const reply = await request('POST', `/api/v1/videos/${encodeURIComponent(videoID)}/comments`,
            { body: text, parent_id: thread.dataset.commentId }, await csrfToken());
          thread.querySelector(':scope > .replies').append(draw(reply, 2));
          const parent = comments.get(thread);
          fill(thread, { ...parent, reply_count: parent.reply_count + 1 });
          if (reply.status === 'published') changeCount(1);
        },
      });
    },
    'comment-edit': (item) => {
      slotForm(item, {
        multiline: true, value: comments.get(item).body, label: 'Edit your comment', submitLabel: 'Save',
        submit: async (text) => {
          const before = comments.get(item);
          const edited = await request('PATCH', path(item), { body: text }, await csrfToken());
          fill(item, edited);
          if (before.status !== edited.status) changeCount(edited.status === 'published' ? 1 : before.status === 'published' ? -1 : 0);
        },
      });
    },
    'comment-delete': (item) => {
      slotForm(item, {
        field: false, label: 'Delete your comment for good?', submitLabel: 'Delete', danger: true,
        submit: async () => {
          const comment = comments.get(item);
          await request('DELETE', path(item), undefined, await csrfToken());
          if (comment.status === 'published') changeCount(-1);
          // Above its replies it stays as a tombstone, as the API keeps it.
          if (comment.reply_count > 0) fill(item, { ...comment, status: 'deleted', body: '', author: null, mentions: [] });
          else item.remove();
        },
      });
    },
    'comment-remove': (item) => {
      slotForm(item, {
        label: 'Why is it removed?', submitLabel: 'Remove', placeholder: 'Reason (shown to its author)', danger: true,
        submit: async (reason) => {
          const comment = comments.get(item);
          await request('DELETE', `${path(item)}?reason=${encodeURIComponent(reason.trim())}`, undefined, await csrfToken());
          if (comment.status === 'published') changeCount(-1);
          fill(item, { ...comment, status: 'removed', removed_reason: reason.trim() });
        },
      });
    },
    'comment-pin': async (item) => {
      const unpin = item.dataset.pinned === 'true';
      await request('PUT', `/api/v1/videos/${encodeURIComponent(videoID)}/pinned-comment`,
        { comment_id: unpin ? null : item.dataset.commentId }, await csrfToken());
      await load(true);
    },
    'comment-report': (item, pressed) => openReport('comment', item.dataset.commentId, pressed),
    'comment-subreplies': async (item, pressed) => {
      const query = new URLSearchParams({ limit: String(REPLY_PAGE) });
      if (item.dataset.subCursor) query.set('cursor', item.dataset.subCursor);
      const page = await request('GET', `${path(item)}/replies?${query}`);
      let after = item.dataset.lastDeeper ? item.parentElement.querySelector(`[data-comment-id="${CSS.escape(item.dataset.lastDeeper)}"]`) : item;
      for (const reply of page.items) {
        const drawn = draw(reply, 2);
        drawn.classList.add('deeper');
        const answered = comments.get(item).author?.username;
        const names = drawn.querySelector('.comment-username');
        if (answered) names.textContent = `${names.textContent ? `${names.textContent} ` : ''}replying to @${answered}`;
        after.after(drawn);
        after = drawn;
      }
      item.dataset.lastDeeper = after.dataset.commentId;
      item.dataset.subCursor = page.next_cursor || '';
      if (!page.next_cursor) item.dataset.expanded = 'true';
      pressed.hidden = !page.next_cursor;
      pressed.textContent = 'Show more replies';
    },
    'more-replies': async (item, pressed) => {
      const query = new URLSearchParams({ limit: String(REPLY_PAGE) });
      if (pressed.dataset.cursor) query.set('cursor', pressed.dataset.cursor);
      const page = await request('GET', `${path(item)}/replies?${query}`);
      const replies = item.querySelector(':scope > .replies');
      const shown = new Set([...replies.children].map((child) => child.dataset.commentId));
      for (const reply of page.items) if (!shown.has(reply.id)) replies.append(draw(reply, 2));
      setMoreReplies(item, page.next_cursor);
    },
  };

  /// `1:23` links seek this page's player instead of reloading the page.
  function seek(anchor, event) {
    const video = document.getElementById('video');
    if (!video || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    video.currentTime = Number(anchor.dataset.seconds);
    video.play().catch(() => { /* the viewer presses play */ });
    document.getElementById('player')?.scrollIntoView({ block: 'nearest' });
  }

  list.addEventListener('click', async (event) => {
    const stamp = event.target.closest('a.comment-timestamp');
    if (stamp) { seek(stamp, event); return; }
    const pressed = event.target.closest('button');
    const item = pressed?.closest('li.comment');
    const name = pressed && Object.keys(actions).find((key) => pressed.classList.contains(key));
    if (!item || !name) return;
    const slotError = () => item.querySelector(':scope > .comment-box > .comment-slot');
    pressed.disabled = true;
    try {
      await actions[name](item, pressed);
    } catch (failure) {
      const error = element('p', 'form-error slot-error', failure.message);
      error.setAttribute('role', 'alert');
      slotError().replaceChildren(error);
    } finally {
      pressed.disabled = false;
    }
  });

  const form = document.getElementById('comment-form');
  form?.addEventListener('submit', async (event) => {
    event.preventDefault();
    const field = document.getElementById('comment-body');
    const error = document.getElementById('comment-error');
    const send = document.getElementById('comment-send');
    error.textContent = '';
    if (!field.value.trim()) {
      error.textContent = 'Write something first.';
      field.focus();
      return;
    }
    send.disabled = true;
    try {
      const comment = await request('POST', `/api/v1/videos/${encodeURIComponent(videoID)}/comments`, { body: field.value }, await csrfToken());
      const drawn = drawThread({ ...comment, replies: [], replies_next_cursor: null });
      // Newest at the top, below a pinned comment.
      const pinned = list.firstElementChild?.dataset.pinned === 'true' ? list.firstElementChild : null;
      if (pinned) pinned.after(drawn); else list.prepend(drawn);
      field.value = '';
      status.textContent = comment.status === 'held'
        ? 'Your comment is held for review: a moderator looks at it before others see it.' : '';
      if (comment.status === 'published') changeCount(1);
    } catch (failure) {
      error.textContent = failure.message;
    } finally {
      send.disabled = false;
    }
  });

  more.addEventListener('click', () => load(false));
  sortMenu.addEventListener('change', () => load(true));
  load(true);
}
