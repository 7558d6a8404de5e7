// The admin console's categories page: add (POST /api/v1/categories), rename
// (PATCH /api/v1/categories/{id}) and delete (DELETE …) without leaving the page.
import { request, csrfToken } from './api.js';

const list = document.getElementById('categories');
const form = document.getElementById('add-category');
const error = document.getElementById('categories-error');
const status = document.getElementById('categories-status');
// Not form.id / form.name: those are the form's own attributes.
const idInput = document.getElementById('category-id');
const nameInput = document.getElementById('category-name');

function button(className, label, id) {
  const element = document.createElement('button');
  element.type = 'button';
  element.className = className;
  const hidden = document.createElement('span');
  hidden.className = 'visually-hidden';
  hidden.textContent = ` ${id}`;
  element.append(label, hidden);
  return element;
}

// The same markup as the server renders, built with text nodes only.
function row(category) {
  const item = document.createElement('li');
  item.className = 'category-row';
  item.dataset.categoryId = category.id;
  const code = document.createElement('code');
  code.textContent = category.id;
  const label = document.createElement('label');
  label.className = 'visually-hidden';
  label.htmlFor = `name-${category.id}`;
  label.textContent = `Name of ${category.id}`;
  const input = document.createElement('input');
  input.id = `name-${category.id}`;
  input.className = 'category-name';
  input.maxLength = 80;
  input.value = category.name;
  item.append(code, label, input, button('rename', 'Rename', category.id), button('delete danger-button', 'Delete', category.id));
  return item;
}

form?.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.textContent = '';
  try {
    const category = await request('POST', '/api/v1/categories', { id: idInput.value.trim(), name: nameInput.value.trim() }, await csrfToken());
    list.append(row(category));
    document.getElementById('no-categories')?.remove();
    status.textContent = `Category ${category.name} was added.`;
    form.reset();
    idInput.focus();
  } catch (failure) {
    error.textContent = failure.message;
  }
});

list?.addEventListener('click', async (event) => {
  const pressed = event.target.closest('button');
  const item = pressed?.closest('.category-row');
  if (!item) return;
  const path = `/api/v1/categories/${encodeURIComponent(item.dataset.categoryId)}`;
  error.textContent = '';
  pressed.disabled = true;
  try {
    if (pressed.classList.contains('rename')) {
      const category = await request('PATCH', path, { name: item.querySelector('.category-name').value.trim() }, await csrfToken());
      status.textContent = `Category ${category.id} is now called ${category.name}.`;
    } else if (pressed.classList.contains('delete')) {
      await request('DELETE', path, undefined, await csrfToken());
      status.textContent = `Category ${item.dataset.categoryId} was deleted.`;
      item.remove();
      list.querySelector('input')?.focus();
    }
  } catch (failure) {
    error.textContent = failure.message;
  } finally {
    pressed.disabled = false;
  }
});
