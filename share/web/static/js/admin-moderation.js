// The console's moderation queue: a decision on one item (POST
// /api/v1/moderation/items/{id}/decision) or on the selected ones at once (POST
// /api/v1/moderation/decisions), each with its reason (and days, for a suspension). A decided
// item stays on the page, marked with what was done, until the next load moves it to Resolved.
import { request, csrfToken } from './api.js';

const items = document.getElementById('mod-items');
const error = document.getElementById('moderation-error');
const status = document.getElementById('moderation-status');
const bulk = document.getElementById('bulk-form');
const selectAll = document.getElementById('select-all');

const done = { approve: 'Approved', remove: 'Removed', warn: 'Warned', suspend: 'Suspended', ban: 'Banned' };

/// The decision's body, or a message saying what is missing.
function decision(action, reason, days) {
  if (!reason.trim()) return 'Give a reason: it goes into the audit log.';
  const body = { action, reason: reason.trim() };
  if (action === 'suspend') {
    const number = Number(days);
    if (!Number.isInteger(number) || number < 1 || number > 3650) return 'A suspension lasts 1 to 3650 days.';
    body.days = number;
  }
  return body;
}

function resolved(row, action, reason) {
  row.dataset.state = 'resolved';
  row.querySelector('.mod-state').textContent = 'resolved';
  row.querySelector('form.decision')?.remove();
  const box = row.querySelector('.mod-select');
  if (box) { box.checked = false; box.disabled = true; }
  const out = row.querySelector('.decided');
  out.textContent = `${done[action] || action}: ${reason}`;
  out.hidden = false;
}

items?.addEventListener('click', async (event) => {
  const button = event.target.closest('button.decide');
  const row = button?.closest('.mod-item');
  if (!row) return;
  error.textContent = '';
  const action = button.dataset.action;
  const reasonField = row.querySelector('.decision-reason');
  const body = decision(action, reasonField.value, row.querySelector('.decision-days').value);
  if (typeof body === 'string') {
    error.textContent = body;
    reasonField.focus();
    return;
  }
  for (const each of row.querySelectorAll('button.decide')) each.disabled = true;
  try {
    await request('POST', `/api/v1/moderation/items/${encodeURIComponent(row.dataset.itemId)}/decision`, body, await csrfToken());
    resolved(row, action, body.reason);
    status.textContent = `${done[action]}: the ${row.dataset.targetType}'s item is resolved.`;
  } catch (failure) {
    error.textContent = failure.message;
    for (const each of row.querySelectorAll('button.decide')) each.disabled = false;
  }
});

const selected = () => [...document.querySelectorAll('.mod-item[data-state="open"] .mod-select:checked')].map((box) => box.closest('.mod-item'));

selectAll?.addEventListener('change', () => {
  for (const box of document.querySelectorAll('.mod-item[data-state="open"] .mod-select')) box.checked = selectAll.checked;
});

bulk?.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.textContent = '';
  const rows = selected();
  if (!rows.length) {
    error.textContent = 'Select the items to decide on first.';
    return;
  }
  const action = document.getElementById('bulk-action').value;
  const body = decision(action, document.getElementById('bulk-reason').value, document.getElementById('bulk-days').value);
  if (typeof body === 'string') {
    error.textContent = body;
    document.getElementById('bulk-reason').focus();
    return;
  }
  const apply = document.getElementById('bulk-apply');
  apply.disabled = true;
  try {
    const answer = await request('POST', '/api/v1/moderation/decisions', { ...body, items: rows.map((row) => row.dataset.itemId) }, await csrfToken());
    const outcomes = new Map(answer.items.map((item) => [item.id, item.status]));
    let decided = 0;
    for (const row of rows) {
      if (outcomes.get(row.dataset.itemId) === 200) {
        resolved(row, action, body.reason);
        decided += 1;
      }
    }
    const missed = rows.length - decided;
    status.textContent = `${done[action]}: ${decided} ${decided === 1 ? 'item' : 'items'}` + (missed ? `; ${missed} had been decided meanwhile.` : '.');
    selectAll.checked = false;
  } catch (failure) {
    error.textContent = failure.message;
  } finally {
    apply.disabled = false;
  }
});
