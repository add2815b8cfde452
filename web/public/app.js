// The page's front door: sign in, then show the accounts, the sync and the week. Every API
// error is shown as its message in the alert at the top, never as a blank page.
import { ApiError, api, token } from './api.js';
import { renderBusyCalendars, wireBusyCalendars } from './busy-calendars.js';
import { connectCanvasSchool } from './canvas-schools.js';
import {
  connectCanvasDemo,
  connectCanvasWithToken,
  connectGoogle,
  renderCanvas,
  renderGoogle,
} from './connections.js';
import { showDeleteData, wireDeleteData } from './delete-data.js';
import { wireDisconnect } from './disconnect.js';
import { renderPlanControls, replanNow, setAutoPlan } from './plan-panel.js';
import { followTimeZone, renderSettingsPanel, wireSettingsPanel } from './settings-panel.js';
import { loadSignInConfig, startSupabaseAuth } from './supabase-sign-in.js';
import { renderSyncStatus, syncNow } from './sync-panel.js';
import { createWeekView } from './week-view.js';

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** @type {{ refresh(): void, setTimeZone(zone: string): void } | undefined} */
let week;
let canvasDemo = false;
/** Whether the signed-in screens are showing (Supabase may announce a session again). */
let shown = false;
/** @type {Awaited<ReturnType<typeof startSupabaseAuth>> | undefined} */
let supabaseAuth;

/** @param {unknown} error */
function showError(error) {
  const box = $('error');
  box.hidden = false;
  box.textContent = error instanceof Error ? error.message : String(error);
}

function clearError() {
  $('error').hidden = true;
}

/** Runs a button's action, showing any failure; the button is busy meanwhile. @param {() => Promise<void>} action */
function act(action) {
  return async () => {
    clearError();
    try {
      await action();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        token.clear();
        showSignedOut();
      }
      showError(error);
    }
  };
}

function showSignedOut() {
  shown = false;
  $('sign-in').hidden = false;
  for (const id of ['connect', 'sync', 'week', 'settings']) $(id).hidden = true;
  $('signed-in-as').hidden = true;
  $('sign-out').hidden = true;
  showDeleteData(false);
}

async function signIn() {
  const answer = await api('POST', '/api/v1/auth/local/login', {});
  token.set(answer.accessToken);
  await showSignedIn();
}

async function refreshAccounts() {
  await Promise.all([renderGoogle(), renderCanvas({ demo: canvasDemo })]);
}

async function showSignedIn() {
  const me = await api('GET', '/api/v1/me');
  $('sign-in').hidden = true;
  $('signed-in-as').hidden = false;
  $('signed-in-as').textContent = `Signed in as ${me.email ?? 'you'}.`;
  $('sign-out').hidden = false;
  shown = true;
  for (const id of ['connect', 'sync', 'week', 'settings']) $(id).hidden = false;
  showDeleteData(true);
  canvasDemo = await hasDemoCanvas();
  await refreshAccounts();
  await renderSyncStatus(me.timeZone);
  await Promise.all([renderPlanControls(), renderSettingsPanel(), renderBusyCalendars()]);
  if (!week) week = createWeekView(me.timeZone, showError);
  else week.refresh();
}

/** Whether this server offers the emulator's demo student (the embedded default does). */
async function hasDemoCanvas() {
  const spec = await fetch('/docs/json').then(
    (r) => (r.ok ? r.json() : null),
    () => null,
  );
  return Boolean(spec?.paths?.['/api/v1/canvas/connection/demo']);
}

$('sign-in-local').addEventListener('click', act(signIn));
$('google-connect').addEventListener('click', act(connectGoogle));
$('canvas-demo').addEventListener(
  'click',
  act(async () => {
    await connectCanvasDemo();
    await refreshAccounts();
  }),
);
$('canvas-school-list').addEventListener('click', (event) => {
  const button = /** @type {HTMLElement} */ (event.target).closest('button[data-base-url]');
  const baseUrl = button instanceof HTMLElement ? button.dataset.baseUrl : undefined;
  if (baseUrl) act(() => connectCanvasSchool(baseUrl))();
});
$('canvas-token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = /** @type {HTMLFormElement} */ (event.currentTarget);
  act(async () => {
    await connectCanvasWithToken(form);
    await refreshAccounts();
  })();
});
$('canvas-base-url').addEventListener('change', (event) => {
  // Canvas's own settings page, where "+ New Access Token" is, on the student's school.
  const value = /** @type {HTMLInputElement} */ (event.currentTarget).value;
  if (URL.canParse(value)) {
    const link = /** @type {HTMLAnchorElement} */ ($('canvas-settings-link'));
    link.href = new URL('/profile/settings', value).href;
    link.textContent = 'Open your Canvas settings';
  }
});
$('sync-now').addEventListener(
  'click',
  act(async () => {
    const run = await syncNow().catch(async (error) => {
      await refreshAccounts();
      throw error;
    });
    const [me] = await Promise.all([api('GET', '/api/v1/me'), refreshAccounts()]);
    await Promise.all([renderSyncStatus(me.timeZone), followTimeZone(me.timeZone)]);
    // The first sync may have learnt the student's time zone from Canvas.
    week?.setTimeZone(me.timeZone);
    week?.refresh();
    if (run.status === 'failed') showError(run.error?.message ?? 'The sync failed.');
  }),
);

$('auto-plan').addEventListener('change', (event) => {
  const box = /** @type {HTMLInputElement} */ (event.currentTarget);
  act(async () => {
    box.disabled = true;
    try {
      await setAutoPlan(box.checked);
    } catch (error) {
      box.checked = !box.checked;
      throw error;
    } finally {
      box.disabled = false;
      week?.refresh();
    }
  })();
});
$('replan-now').addEventListener(
  'click',
  act(async () => {
    await replanNow();
    week?.refresh();
  }),
);

wireSettingsPanel((settings) => {
  week?.setTimeZone(settings.timeZone);
  week?.refresh();
});
wireBusyCalendars(() => week?.refresh());
wireDisconnect(act, async () => {
  await refreshAccounts();
  await renderBusyCalendars();
  week?.refresh();
});

// Back from Google's or Canvas's consent page: the address says so once; the state comes from the API.
if (new URLSearchParams(window.location.search).has('connected'))
  window.history.replaceState(null, '', window.location.pathname);

/** Reads how this service signs in: Supabase Auth when deployed so, else the local one-click. */
async function start() {
  const settings = await loadSignInConfig();
  if (settings.signIn === 'supabase') {
    $('sign-in-local-box').hidden = true;
    $('sign-in-supabase').hidden = false;
    supabaseAuth = await startSupabaseAuth(settings.supabase, {
      signedIn: () => {
        if (!shown) act(showSignedIn)();
      },
      signedOut: showSignedOut,
    });
    return;
  }
  if (token.get()) await showSignedIn();
  else showSignedOut();
}

$('sign-in-supabase').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = new FormData(/** @type {HTMLFormElement} */ (event.currentTarget));
  // Success shows itself: supabase-js announces the new session (see start).
  act(async () => {
    await supabaseAuth?.signIn(String(form.get('email')), String(form.get('password')));
  })();
});
$('sign-in-link').addEventListener(
  'click',
  act(async () => {
    const email = /** @type {HTMLInputElement} */ ($('sign-in-email'));
    if (!email.reportValidity()) return;
    await supabaseAuth?.sendLink(email.value);
    $('sign-in-status').textContent = `We emailed a sign-in link to ${email.value}. Open it in this browser.`;
  }),
);
async function signOut() {
  if (supabaseAuth) await supabaseAuth.signOut();
  token.clear();
  showSignedOut();
}
$('sign-out').addEventListener('click', act(signOut));
// Once the data is deleted the session has nothing left to show: sign out, as the button does.
wireDeleteData({ deleted: signOut });

act(start)();
