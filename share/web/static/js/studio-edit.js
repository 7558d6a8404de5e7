// The studio's edit page: saves title, description, tags and visibility with
// PATCH /api/v1/videos/{id} (a 422 names the field, whose message appears next to it), and
// deletes the video after a confirmation step.
import { request, csrfToken } from './api.js';

const page = document.getElementById('studio-edit');
const videoID = page?.dataset.videoId;
const path = `/api/v1/videos/${encodeURIComponent(videoID)}`;
const form = document.getElementById('edit-form');
const error = document.getElementById('form-error');
const saved = document.getElementById('form-saved');

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
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    await request('PATCH', path, body, await csrfToken());
    saved.textContent = 'Saved.';
  } catch (failure) {
    const field = failure.problem?.field;
    const slot = field && document.getElementById(`error-${field}`);
    if (failure.status === 422 && slot) {
      slot.textContent = failure.message;
      form.elements[field]?.setAttribute('aria-invalid', 'true');
      form.elements[field]?.focus();
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
