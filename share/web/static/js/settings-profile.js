// Settings: the profile (PATCH /api/v1/me), the avatar (PUT /api/v1/me/avatar, previewed
// before it is sent) and the preferences (GET/PUT /api/v1/me/preferences).
import { request, csrfToken, APIError } from './api.js';
import { clearErrors, showError, busy } from './settings-form.js';

const profileForm = document.getElementById('profile-form');
const profileError = document.getElementById('profile-error');
const profileSaved = document.getElementById('profile-saved');

profileForm?.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(profileForm, profileError, profileSaved);
  const body = { display_name: profileForm.display_name.value.trim(), bio: profileForm.bio.value };
  await busy(profileForm.querySelector('button[type=submit]'), async () => {
    try {
      const profile = await request('PATCH', '/api/v1/me', body, await csrfToken());
      profileSaved.textContent = 'Profile saved.';
      const name = document.querySelector('.user-name');
      if (name) name.textContent = profile.display_name || profile.username;
    } catch (failure) {
      showError(profileForm, profileError, failure);
    }
  });
});

const avatarForm = document.getElementById('avatar-form');
const avatarFile = document.getElementById('avatar-file');
const avatarPreview = document.getElementById('avatar-preview');
const avatarError = document.getElementById('error-avatar');
const avatarSaved = document.getElementById('avatar-saved');
let previewURL = null;

avatarFile?.addEventListener('change', () => {
  avatarError.textContent = '';
  avatarSaved.textContent = '';
  const file = avatarFile.files[0];
  if (!file) return;
  if (previewURL) URL.revokeObjectURL(previewURL);
  previewURL = URL.createObjectURL(file);
  avatarPreview.src = previewURL;
  avatarPreview.hidden = false;
});

avatarForm?.addEventListener('submit', async (event) => {
  event.preventDefault();
  avatarError.textContent = '';
  avatarSaved.textContent = '';
  const file = avatarFile.files[0];
  if (!file) {
    avatarError.textContent = 'Choose a picture first.';
    avatarFile.focus();
    return;
  }
  await busy(avatarForm.querySelector('button[type=submit]'), async () => {
    try {
      const response = await fetch('/api/v1/me/avatar', {
        method: 'PUT', body: file, credentials: 'same-origin',
        headers: { 'Content-Type': file.type || 'application/octet-stream', 'X-CSRF-Token': await csrfToken() || '' },
      });
      const data = await response.json().catch(() => null);
      if (!response.ok) throw new APIError(response.status, data);
      if (data?.avatar_url) avatarPreview.src = data.avatar_url;
      avatarSaved.textContent = 'Avatar saved.';
    } catch (failure) {
      avatarError.textContent = failure instanceof APIError ? failure.message : 'The picture could not be sent.';
    }
  });
});

const prefsForm = document.getElementById('preferences-form');
const prefsError = document.getElementById('preferences-error');
const prefsSaved = document.getElementById('preferences-saved');
const mailKeys = ['comments', 'subscriptions', 'mentions', 'digest'];

function fillPreferences(prefs) {
  prefsForm.language.value = prefs.language || '';
  prefsForm.default_quality.value = String(prefs.default_quality ?? 'auto');
  prefsForm.autoplay.checked = Boolean(prefs.autoplay);
  for (const key of mailKeys) prefsForm[key].checked = Boolean(prefs.email_notifications?.[key]);
}

if (prefsForm) {
  request('GET', '/api/v1/me/preferences').then(fillPreferences).catch((failure) => { prefsError.textContent = failure.message; });
  prefsForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(prefsForm, prefsError, prefsSaved);
    const quality = prefsForm.default_quality.value;
    const body = {
      language: prefsForm.language.value.trim() || null,
      default_quality: quality === 'auto' ? 'auto' : Number(quality),
      autoplay: prefsForm.autoplay.checked,
      email_notifications: Object.fromEntries(mailKeys.map((key) => [key, prefsForm[key].checked])),
    };
    await busy(prefsForm.querySelector('button[type=submit]'), async () => {
      try {
        fillPreferences(await request('PUT', '/api/v1/me/preferences', body, await csrfToken()));
        prefsSaved.textContent = 'Preferences saved.';
      } catch (failure) {
        showError(prefsForm, prefsError, failure);
      }
    });
  });
}
