// Helpers shared by the settings page's sections: a problem that names a field shows its
// message next to that field (id `error-<field>`); anything else shows in the form's banner.
export function clearErrors(form, banner, saved) {
  if (banner) banner.textContent = '';
  if (saved) saved.textContent = '';
  for (const slot of form.querySelectorAll('.field-error')) slot.textContent = '';
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
}

export function showError(form, banner, failure) {
  const field = failure.problem?.field;
  const slot = field && form.querySelector(`#error-${CSS.escape(field)}`);
  if (slot) {
    slot.textContent = failure.message;
    const input = form.elements[field];
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    }
  } else {
    banner.textContent = failure.message;
  }
}

/// Runs `work` with the form's submit button disabled, showing a failure in the form.
export async function busy(button, work) {
  button.disabled = true;
  try {
    return await work();
  } finally {
    button.disabled = false;
  }
}

export function when(text) {
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? text : date.toLocaleString();
}
