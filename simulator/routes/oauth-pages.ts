/**
 * The HTML of the simulated auth.atlassian.com: the consent screen and its
 * error page. Plain forms, no script, so a test or a headless browser can
 * drive them; element ids (`error`, `error_description`) make them easy to read.
 */
import type { Reply } from '../error-bodies.js';

export interface ConsentView {
  appName: string;
  siteName: string;
  siteUrl: string;
  scopes: string[];
  /** The authorize request's parameters, carried through the form as hidden fields. */
  hidden: Record<string, string>;
  login?: string;
  error?: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

export function htmlReply(status: number, body: string): Reply {
  // Consent and codes must never be served from a cache.
  return { status, text: body, contentType: 'text/html;charset=UTF-8', headers: { 'Cache-Control': 'no-store' } };
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body>
<main>
${body}
<p><small>Confluence simulator: a stand-in for auth.atlassian.com. Signing in is simulated by entering the account's e-mail.</small></p>
</main>
</body>
</html>
`;
}

export function consentPage(view: ConsentView): string {
  const hidden = Object.entries(view.hidden)
    .map(([name, value]) => `  <input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');
  const scopes = view.scopes.map((s) => `  <li><code>${escapeHtml(s)}</code></li>`).join('\n');
  const error = view.error ? `<p id="error" role="alert">${escapeHtml(view.error)}</p>\n` : '';
  return page(
    `Authorize ${view.appName}`,
    `<h1>${escapeHtml(view.appName)} is requesting access to your Atlassian account</h1>
<p>Site: <strong>${escapeHtml(view.siteName)}</strong> (${escapeHtml(view.siteUrl)})</p>
<h2>It would like to</h2>
<ul>
${scopes}
</ul>
${error}<form method="post" action="/authorize">
${hidden}
  <p><label for="login">Your Atlassian account (e-mail)</label>
  <input type="email" id="login" name="login" autocomplete="email" value="${escapeHtml(view.login ?? '')}"></p>
  <p><button type="submit" name="decision" value="accept">Accept</button>
  <button type="submit" name="decision" value="deny">Deny</button></p>
</form>`,
  );
}

/** Shown instead of redirecting when the redirect target itself cannot be trusted. */
export function errorPage(error: string, description: string): string {
  return page(
    'Something went wrong',
    `<h1>Something went wrong</h1>
<p>The app that sent you here is not set up correctly. Tell its developer:</p>
<p><code id="error">${escapeHtml(error)}</code></p>
<p id="error_description">${escapeHtml(description)}</p>`,
  );
}
