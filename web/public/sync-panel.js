// "Sync now" and what came of it. Progress comes from polling the run every half second:
// the page's token travels in a header, which EventSource cannot send (it would have to go
// in the URL, and into every log), and a run is short, so polling costs little.
import { api } from './api.js';
import { countsSentence } from './plain-words.js';

const POLL_MS = 500;

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a Canvas sync and shows its progress until it ends; resolves to the finished run. */
export async function syncNow() {
  const button = /** @type {HTMLButtonElement} */ ($('sync-now'));
  const progress = $('sync-progress');
  button.disabled = true;
  try {
    let started;
    try {
      started = await api('POST', '/api/v1/sync/canvas');
    } catch (error) {
      // Refused before it began (Google needs reconnecting, Canvas is not connected): the
      // caller shows the message, and the account cards the button that fixes it.
      progress.textContent = 'Sync not started.';
      throw error;
    }
    progress.textContent = started.joined ? 'A sync was already running; following it…' : 'Sync started…';
    for (;;) {
      const run = await api('GET', `/api/v1/sync/runs/${started.runId}`);
      if (run.status === 'succeeded' || run.status === 'failed') {
        progress.textContent = run.status === 'succeeded' ? 'Sync finished.' : 'Sync failed.';
        return run;
      }
      // Between tries a running run carries the error it met: say so, and that it goes on.
      // A long first sync says how far it is ("1,200 of 2,000 written"), quota waits included.
      progress.textContent = run.error
        ? `Trying again shortly: ${run.error.message}`
        : run.progress
          ? `Syncing: ${run.progress.message}.`
          : `${run.status === 'queued' ? 'Waiting to start' : 'Syncing'}: ${countsSentence(run.counts)}; ${run.googleCalls} Google calls so far.`;
      await sleep(POLL_MS);
    }
  } finally {
    button.disabled = false;
  }
}

/**
 * Shows the last run's result, its notes, undated items and the student's own edits.
 * @param {string} timeZone the student's, for the time of the last sync
 */
export async function renderSyncStatus(timeZone) {
  const status = await api('GET', '/api/v1/sync/status');
  const box = $('sync-result');
  box.replaceChildren();
  const run = status.lastRun;
  if (!run) {
    box.append(paragraph('No sync yet. Connect both accounts, then choose “Sync now”.'));
    return status;
  }
  const when = run.finishedAt
    ? new Date(run.finishedAt).toLocaleString(undefined, {
        timeZone,
        dateStyle: 'medium',
        timeStyle: 'short',
      })
    : 'not finished';
  box.append(
    paragraph(
      run.status === 'succeeded'
        ? `Last sync (${when}): ${countsSentence(run.counts)}.`
        : run.status === 'failed'
          ? `Last sync failed (${when}): ${run.error?.message ?? 'no reason given'}`
          : run.progress
            ? `A sync is running: ${run.progress.message}.`
            : `A sync is ${run.status}.`,
    ),
  );
  list(box, 'Notes', run.notes);
  list(
    box,
    'In Canvas without a date (not on your calendar)',
    status.undated.map(
      /** @param {{ title: string, courseName: string | null }} u */ (u) =>
        u.courseName ? `${u.title} (${u.courseName})` : u.title,
    ),
  );
  list(
    box,
    'Your own changes in Google, which CanvasCal keeps',
    status.userEdits.map(
      /** @param {{ title: string, edit: string }} e */ (e) =>
        `${e.title}: you ${e.edit === 'moved' ? 'moved it' : 'deleted it'}`,
    ),
  );
  return status;
}

/** @param {string} text */
function paragraph(text) {
  const p = document.createElement('p');
  p.textContent = text;
  return p;
}

/** @param {HTMLElement} box @param {string} title @param {string[]} items */
function list(box, title, items) {
  if (items.length === 0) return;
  const heading = document.createElement('h3');
  heading.textContent = title;
  const ul = document.createElement('ul');
  for (const text of items) {
    const li = document.createElement('li');
    li.textContent = text;
    ul.append(li);
  }
  box.append(heading, ul);
}
