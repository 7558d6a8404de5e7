// The report dialog of the watch page: a reason from the fixed taxonomy and optional details,
// sent as POST /api/v1/reports for a video or a comment. The API's answer is shown in the
// dialog: thanks, "reported already" (one open report per account and target), the hourly
// limit, or the problem's own words.
import { request, csrfToken } from './api.js';

const dialog = document.getElementById('report-dialog');
const form = document.getElementById('report-form');
let target = null;

const headings = { video: 'Report this video', comment: 'Report this comment' };

function answer(text, failed) {
  const out = document.getElementById('report-answer');
  out.textContent = text;
  out.classList.toggle('form-error', Boolean(failed));
}

/// Opens the dialog for `type` (`video`, `comment`) `id`; `opener` gets the focus back.
export function openReport(type, id, opener) {
  if (!dialog) return;
  target = { type, id, opener };
  form.reset();
  answer('');
  document.getElementById('report-heading').textContent = headings[type] || 'Report';
  document.getElementById('report-send').hidden = false;
  dialog.showModal();
  document.getElementById('report-reason').focus();
}

function close() {
  dialog.close();
  target?.opener?.focus();
}

if (dialog) {
  document.getElementById('report-close').addEventListener('click', close);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!target) return;
    const reason = form.elements.reason.value;
    if (!reason) {
      answer('Choose the reason that fits best.', true);
      form.elements.reason.focus();
      return;
    }
    const send = document.getElementById('report-send');
    send.disabled = true;
    const body = { target_type: target.type, target_id: target.id, reason };
    const detail = form.elements.detail.value.trim();
    if (detail) body.detail = detail;
    try {
      await request('POST', '/api/v1/reports', body, await csrfToken());
      answer('Thank you. A moderator will look at it.');
      send.hidden = true;
    } catch (failure) {
      if (failure.type === 'already-reported') {
        answer(`You reported this ${target.type} already; a moderator will look at it.`, true);
        send.hidden = true;
      } else if (failure.status === 429) {
        answer('You have sent many reports in the last hour. Try again later.', true);
      } else {
        answer(failure.message, true);
      }
    } finally {
      send.disabled = false;
    }
  });
}

// The video's own Report button (the comments' buttons are drawn by comments.js).
const videoReport = document.getElementById('video-report');
videoReport?.addEventListener('click', () => openReport('video', videoReport.dataset.targetId, videoReport));
