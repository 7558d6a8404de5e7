// The studio's edit page: saves title, description, tags, visibility, the scheduled publish
// time (datetime-local in the viewer's zone, sent as RFC 3339 UTC) and the chosen poster
// with PATCH /api/v1/videos/{id} (a 422 names the field, whose message appears next to it),
// and deletes the video after a confirmation step.
import { request, csrfToken } from './api.js';

const page = document.getElementById('studio-edit');
const videoID = page?.dataset.videoId;
const path = `/api/v1/videos/${encodeURIComponent(videoID)}`;
const form = document.getElementById('edit-form');
const error = document.getElementById('form-error');
const saved = document.getElementById('form-saved');
const publishAt = document.getElementById('edit-publish-at');

/// `YYYY-MM-DDTHH:MM` in local time, what a datetime-local input holds.
function localInputValue(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/// The input's local time as RFC 3339 UTC (`2030-01-31T17:00:00Z`), null when empty, or
/// undefined when the browser holds something it could not read.
function scheduledUTC() {
  if (publishAt.validity.badInput) return undefined;
  if (!publishAt.value) return null;
  // Read by parts as local time: Date's own parser refuses years past 9999, which the
  // input allows (the API then answers why it cannot take them).
  const parts = /^(\d{4,6})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?$/.exec(publishAt.value);
  if (!parts) return undefined;
  const [year, month, day, hour, minute, second] = parts.slice(1).map((part) => Number(part || 0));
  const date = new Date(2000, 0, 1, hour, minute, second);
  date.setFullYear(year, month - 1, day);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function checkedPoster() {
  return form?.querySelector('input[name=poster]:checked')?.value || null;
}

let savedPublishAt = page?.dataset.publishAt || null;
let savedPoster = checkedPoster();
if (publishAt) {
  if (savedPublishAt) publishAt.value = localInputValue(new Date(savedPublishAt));
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  document.getElementById('publish-at-zone').textContent = `Times are in ${zone || 'your time zone'} and saved as UTC.`;
}

function clearErrors() {
  error.textContent = '';
  saved.textContent = '';
  for (const field of form.querySelectorAll('.field-error')) field.textContent = '';
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
}

form?.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors();
  const body = {
    title: form.title.value.trim(),
    description: form.description.value,
    tags: form.tags.value.split(',').map((tag) => tag.trim()).filter(Boolean),
    visibility: form.visibility.value,
  };
  const when = scheduledUTC();
  if (when === undefined) {
    document.getElementById('error-publish_at').textContent = 'Enter a complete date and time, or clear the field.';
    publishAt.setAttribute('aria-invalid', 'true');
    publishAt.focus();
    return;
  }
  // Only what changed: re-sending an unchanged schedule would be harmless, but a poster
  // is sent only when another one was chosen.
  if (when !== savedPublishAt && !(when === null && !savedPublishAt)) body.publish_at = when;
  const poster = checkedPoster();
  if (poster && poster !== savedPoster) body.poster = poster;
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    const video = await request('PATCH', path, body, await csrfToken());
    savedPublishAt = video?.publish_at || null;
    savedPoster = video?.thumbnails?.poster || savedPoster;
    const shown = document.querySelector('.studio-poster');
    if (shown && video?.thumbnails?.poster) shown.src = video.thumbnails.poster;
    saved.textContent = 'Saved.';
  } catch (failure) {
    const field = failure.problem?.field;
    const slot = field && document.getElementById(`error-${field}`);
    if (failure.status === 422 && slot) {
      slot.textContent = failure.message;
      // `poster` names a radio group: mark and focus its checked radio.
      const control = field === 'poster' ? form.querySelector('input[name=poster]:checked') : form.elements[field];
      control?.setAttribute('aria-invalid', 'true');
      control?.focus();
    } else {
      error.textContent = failure.message;
    }
  } finally {
    button.disabled = false;
  }
});

const confirmBox = document.getElementById('delete-confirm');
const deleteStart = document.getElementById('delete-start');
deleteStart?.addEventListener('click', () => {
  confirmBox.hidden = false;
  document.getElementById('delete-no').focus();
});
document.getElementById('delete-no')?.addEventListener('click', () => {
  confirmBox.hidden = true;
  deleteStart.focus();
});
document.getElementById('delete-yes')?.addEventListener('click', async (event) => {
  event.target.disabled = true;
  try {
    await request('DELETE', path, undefined, await csrfToken());
    location.href = '/studio';
  } catch (failure) {
    document.getElementById('delete-error').textContent = failure.message;
    event.target.disabled = false;
  }
});
