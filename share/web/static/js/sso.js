// Single sign-on on the login and sign-up pages: a button per configured provider
// (GET /api/v1/auth/oidc/providers) that starts the flow with a way back to /login. The
// provider's callback comes back there with a one-time code in the fragment, which becomes a
// session cookie (POST /api/v1/auth/session {"oidc_code"}) like a password would.
import { request, nextPage } from './api.js';

export async function finishSingleSignOn(error) {
  const code = new URLSearchParams(location.hash.slice(1)).get('oidc_code');
  if (!code) return;
  // The code is single use: keep it out of the history and of a reload.
  history.replaceState(null, '', location.pathname + location.search);
  error.textContent = 'Signing you in…';
  try {
    await request('POST', '/api/v1/auth/session', { oidc_code: code });
    location.href = nextPage();
  } catch (failure) {
    error.textContent = failure.message;
  }
}

/// Fills #sso-buttons and shows #sso when at least one provider is configured.
export async function showProviders(verb) {
  const box = document.getElementById('sso');
  const buttons = document.getElementById('sso-buttons');
  if (!box || !buttons) return;
  let providers = [];
  try {
    providers = (await request('GET', '/api/v1/auth/oidc/providers')).items || [];
  } catch {
    return;
  }
  const back = `/login?next=${encodeURIComponent(nextPage())}`;
  buttons.replaceChildren(...providers.map((provider) => {
    const link = document.createElement('a');
    link.className = 'button sso-button';
    link.href = `${provider.start}?redirect=${encodeURIComponent(back)}`;
    link.textContent = `${verb} ${provider.display_name || provider.name}`;
    return link;
  }));
  box.hidden = providers.length === 0;
}
