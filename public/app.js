// The admin's only script of its own (the CSP allows no inline script): copy buttons, and on
// the settings page fields that show only when they apply plus a warning before leaving with
// unsaved edits. Every page works without it.
document.addEventListener('click', async (event) => {
  const button = event.target.closest('button.copy');
  if (!button) return;
  const input = document.getElementById(button.dataset.copy);
  if (!input) return;
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    input.select();
    document.execCommand('copy');
  }
  const label = button.textContent;
  button.textContent = button.dataset.done;
  setTimeout(() => (button.textContent = label), 1500);
});

// --- Settings: show a field only when it applies ("key=value", "key~ticked", alternatives with |).
function settingValue(form, key) {
  const inputs = form.querySelectorAll(`[name="${key}"]`);
  const values = [];
  for (const i of inputs) {
    if (i.type === 'checkbox' || i.type === 'radio') { if (i.checked) values.push(i.value); }
    else values.push(i.value);
  }
  return values;
}
function applyShowWhen(form) {
  for (const field of form.querySelectorAll('[data-show-when]')) {
    const show = field.dataset.showWhen.split('|').some((alt) => {
      const m = /^(\w+)([=~])(.*)$/.exec(alt);
      if (!m) return true;
      const values = settingValue(form, m[1]);
      return m[2] === '=' ? values[0] === m[3] : values.includes(m[3]);
    });
    field.hidden = !show;
  }
}

// --- Settings: unsaved edits are never lost silently.
let dirty = false;
function setDirty(form, value) {
  dirty = value;
  const note = form && form.querySelector('#unsaved-note');
  if (note) note.hidden = !value;
}
document.addEventListener('input', (e) => {
  const form = e.target.closest && e.target.closest('#settings-form');
  if (form) setDirty(form, true);
});
document.addEventListener('change', (e) => {
  const form = e.target.closest && e.target.closest('#settings-form');
  if (!form) return;
  setDirty(form, true);
  applyShowWhen(form);
});
document.addEventListener('submit', (e) => {
  // Saving is not leaving: the page answers with the same form (kept as typed if refused).
  if (e.target.id === 'settings-form') window.__erpbSubmitting = true;
});
window.addEventListener('beforeunload', (e) => {
  if (!dirty || window.__erpbSubmitting) return;
  e.preventDefault();
  e.returnValue = '';
});
document.addEventListener('htmx:afterSwap', () => {
  window.__erpbSubmitting = false;
  const form = document.getElementById('settings-form');
  if (!form) return;
  applyShowWhen(form);
  // Saved: nothing is pending. Refused: the typed values are still in the form, still unsaved.
  setDirty(form, !form.querySelector('#settings-saved'));
});
document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('settings-form');
  if (!form) return;
  applyShowWhen(form);
  // A refused save (without htmx) comes back with the typed values: they are still unsaved.
  if (form.querySelector('#settings-refused')) setDirty(form, true);
});
