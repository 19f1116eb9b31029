// Progressive enhancement for the onboarding pages. Everything works without it: this only saves round
// trips (store ID suggestion, "Use this name", refreshing the returns list in place). It is a module script
// (deferred, like `defer`) so that it can share the store ID suggestion with the server.
/* global document, window, fetch */
import { suggestTenantId } from './tenant-id.js';

function enhanceForm(form) {
  const name = form.querySelector('#displayName');
  const id = form.querySelector('#tenantId');
  if (name && id && !id.readOnly) {
    // Follow the store name until the merchant types an ID of their own.
    let suggested = id.value === '' || id.value === suggestTenantId(name.value);
    id.addEventListener('input', () => {
      suggested = id.value === '';
    });
    name.addEventListener('input', () => {
      if (suggested) id.value = suggestTenantId(name.value);
    });
  }

  for (const button of form.querySelectorAll('button[data-fill]')) {
    button.addEventListener('click', (event) => {
      const input = form.querySelector(`#${button.dataset.fill}`);
      if (!input) return;
      event.preventDefault();
      input.value = button.value;
      input.removeAttribute('aria-invalid');
      const field = input.closest('.field');
      field?.classList.remove('has-error');
      field?.querySelector('.error')?.remove();
      button.remove();
      input.focus();
    });
  }
}

function refreshReturns(container) {
  const url = container.dataset.refreshUrl;
  const seconds = Number(container.dataset.refreshSeconds) || 3;
  const tick = async () => {
    try {
      const response = await fetch(url, { cache: 'no-store', redirect: 'manual' });
      // The link expired, was withdrawn or has nothing set up: stop, and let a reload show why.
      if (response.status === 404 || response.status === 410 || response.type === 'opaqueredirect') return;
      if (response.ok) container.innerHTML = await response.text();
    } catch {
      // Offline for a moment: try again on the next tick.
    }
    window.setTimeout(tick, seconds * 1000);
  };
  window.setTimeout(tick, seconds * 1000);
}

document.addEventListener('DOMContentLoaded', () => {
  const form = document.querySelector('form.onboarding');
  if (form) enhanceForm(form);
  const returns = document.querySelector('#returns[data-refresh-url]');
  if (returns) refreshReturns(returns);
});
