/**
 * A minimal HTML page for the browser redirect flows: the user sees words, never a token.
 * With `returnTo` (a same-origin path), the browser goes back there by itself (a meta
 * refresh: the CSP allows no inline script) and the page links to it too.
 */
export function htmlPage(title: string, body: string, options: { returnTo?: string } = {}): string {
  const back = options.returnTo ? escapeHtml(options.returnTo) : undefined;
  const refresh = back ? `<meta http-equiv="refresh" content="1;url=${back}">` : '';
  const link = back ? `<p><a href="${back}">Back to CanvasCal</a></p>` : '';
  return `<!doctype html><html lang="en"><meta charset="utf-8">${refresh}<title>${escapeHtml(title)}</title><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p>${link}</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
