// The deployed service's sign-in: Supabase Auth in the browser, through supabase-js's UMD
// bundle served same-origin at /vendor/supabase.js (loaded only when the service says so).
// supabase-js keeps the session (in this tab's sessionStorage, like the local token) and
// refreshes it; every new access token is handed to api.js, which sends it as the bearer.
import { token } from './api.js';

/**
 * How this service signs students in, from `/web/config.json`.
 * @returns {Promise<{ signIn: 'local' } | { signIn: 'supabase', supabase: { url: string, anonKey: string } }>}
 */
export async function loadSignInConfig() {
  const response = await fetch('/web/config.json', { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`CanvasCal answered ${response.status} for its sign-in settings.`);
  return response.json();
}

/** @param {string} src */
function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error('The sign-in code did not load. Reload the page.'));
    document.head.append(script);
  });
}

/**
 * Starts Supabase Auth. `signedIn` runs once a session exists (restored, or a new sign-in);
 * `signedOut` when it ends. Token refreshes only update the bearer token.
 * @param {{ url: string, anonKey: string }} settings
 * @param {{ signedIn(): void, signedOut(): void }} on
 */
export async function startSupabaseAuth(settings, on) {
  await loadScript('/vendor/supabase.js');
  const client = /** @type {any} */ (window).supabase.createClient(settings.url, settings.anonKey, {
    auth: {
      storage: window.sessionStorage,
      persistSession: true,
      autoRefreshToken: true,
      detectSessionInUrl: true,
    },
  });
  client.auth.onAuthStateChange((/** @type {string} */ event, /** @type {any} */ session) => {
    if (session?.access_token) token.set(session.access_token);
    else token.clear();
    // supabase-js asks that its callback not wait on other calls: react after it returns.
    if (event === 'SIGNED_OUT' || !session) setTimeout(on.signedOut);
    else if (event === 'SIGNED_IN' || event === 'INITIAL_SESSION') setTimeout(on.signedIn);
  });
  return {
    /** Resolves when signed in; rejects with Supabase's own message. @param {string} email @param {string} password */
    async signIn(email, password) {
      const { error } = await client.auth.signInWithPassword({ email, password });
      if (error) throw new Error(error.message);
    },
    /** Emails a sign-in link that comes back to this page. @param {string} email */
    async sendLink(email) {
      const { error } = await client.auth.signInWithOtp({
        email,
        options: { emailRedirectTo: `${window.location.origin}/`, shouldCreateUser: false },
      });
      if (error) throw new Error(error.message);
    },
    async signOut() {
      const { error } = await client.auth.signOut();
      if (error) throw new Error(error.message);
    },
  };
}
