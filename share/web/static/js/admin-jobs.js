// The admin console's jobs page: Retry (POST /api/v1/admin/jobs/{id}/retry) and Cancel
// (…/cancel) update the job's row in place from the job the API answers with.
import { request, csrfToken } from './api.js';

const table = document.getElementById('jobs');
const error = document.getElementById('jobs-error');
const status = document.getElementById('jobs-status');

function show(row, job) {
  const state = row.querySelector('.state');
  state.textContent = job.state;
  state.className = `state state-${job.state}`;
  row.querySelector('.attempts').textContent = String(job.attempts);
  row.querySelector('.progress').textContent = `${Math.round(job.progress * 100)}%`;
  row.querySelector('.reason').textContent = job.error || '';
  row.querySelector('.retry').hidden = !(job.state === 'failed' || job.state === 'cancelled');
  row.querySelector('.cancel').hidden = !(job.state === 'queued' || job.state === 'running');
}

table?.addEventListener('click', async (event) => {
  const button = event.target.closest('button');
  const row = button?.closest('tr[data-job-id]');
  if (!row) return;
  const action = button.classList.contains('retry') ? 'retry' : button.classList.contains('cancel') ? 'cancel' : null;
  if (!action) return;
  error.textContent = '';
  button.disabled = true;
  try {
    const job = await request('POST', `/api/v1/admin/jobs/${encodeURIComponent(row.dataset.jobId)}/${action}`, undefined, await csrfToken());
    show(row, job);
    status.textContent = `Job ${job.id} is ${job.state}.`;
    // The button that was pressed may now be hidden: keep the keyboard focus in the row.
    const next = row.querySelector('button:not([hidden])') || row.querySelector('a');
    next?.focus();
  } catch (failure) {
    error.textContent = failure.message;
  } finally {
    button.disabled = false;
  }
});
