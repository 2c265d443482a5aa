'use strict';
// Where the identity provider sends the sign-in window back: hands the one-time code (not a token) to the coverage page that
// opened it, which holds the PKCE verifier and exchanges the code itself, and closes. A broadcast channel of this origin
// carries it, so the hand-over works even when the provider's pages cut the window off from its opener.
(() => {
  const params = new URLSearchParams(location.search);
  const message = { code: params.get('code'), state: params.get('state'), error: params.get('error'),
    errorDescription: params.get('error_description') };
  // The code leaves the address at once: it is never kept in the history.
  history.replaceState(null, '', location.pathname);
  const channel = new BroadcastChannel('kafka-firehose-bridge-sign-in');
  channel.postMessage(message);
  channel.close();
  document.getElementById('signed-in-state').textContent = message.error
    ? 'The sign-in failed: ' + (message.errorDescription || message.error) + '. You can close this window.'
    : 'Signed in. You can close this window.';
  setTimeout(() => window.close(), 300);
})();
