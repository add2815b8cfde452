import type { CanvasEmulator } from '../../emulators/canvas/canvas-emulator.ts';
import type { GoogleEmulator } from '../../emulators/google/google-emulator.ts';
import type { HttpApp } from '../../src/http/http-app.ts';

export interface SeededStudent {
  email: string;
  userId: string;
  headers: Record<string, string>;
}

/**
 * `count` students, each with their own Canvas user (enrolled in one course of `items`
 * assignments due over the next weeks from `now`) and their own Google account, connected
 * to CanvasCal the way a student does it: local sign-in, Google consent approved in the
 * emulator, Canvas connected with a token the emulator issued. Nothing is synced yet.
 */
export async function seedStudentsThroughEmulators(options: {
  http: HttpApp;
  google: GoogleEmulator;
  canvas: CanvasEmulator;
  count: number;
  items: number;
  now: number;
  tag?: string;
}): Promise<SeededStudent[]> {
  const { http, google, canvas } = options;
  const tag = options.tag ?? 'load';
  const course = canvas.control.createCourse({ name: `Course ${tag}`, courseCode: `C-${tag}` });
  for (let i = 0; i < options.items; i += 1)
    canvas.control.addAssignment(course, {
      name: `Homework ${i + 1}`,
      dueAt: new Date(options.now + (i + 2) * 86_400_000).toISOString(),
    });
  const call = async (method: 'GET' | 'POST' | 'PUT', url: string, headers = {}, payload?: object) => {
    const res = await http.inject({ method, url, headers, ...(payload ? { payload } : {}) });
    if (res.statusCode >= 400) throw new Error(`${method} ${url} answered ${res.statusCode}: ${res.body}`);
    return res.json();
  };
  const students: SeededStudent[] = [];
  for (let n = 0; n < options.count; n += 1) {
    const email = `${tag}-${n}@example.edu`;
    const canvasUser = canvas.control.createUser(`Student ${n}`, 'America/Chicago');
    canvas.control.enroll(canvasUser, course);
    google.control.addAccount(email, 'America/Chicago');
    const login = await call('POST', '/api/v1/auth/local/login', {}, { email });
    const headers = { authorization: `Bearer ${login.accessToken}` };
    const { url } = await call('GET', '/api/v1/auth/google/url', headers);
    const redirect = new URL(google.control.approveConsent(url, { email }));
    await call('POST', '/api/v1/auth/google/token', headers, {
      code: redirect.searchParams.get('code'),
      state: redirect.searchParams.get('state'),
    });
    await call('PUT', '/api/v1/canvas/connection', headers, {
      baseUrl: canvas.url,
      token: canvas.control.issueToken(canvasUser),
    });
    const { id } = await call('GET', '/api/v1/me', headers);
    students.push({ email, userId: id, headers });
  }
  return students;
}

/** Each student's CanvasCal calendars in the emulator, and their live events' summaries. */
export function appCalendarsOf(google: GoogleEmulator, email: string) {
  const { state } = google.control;
  return [...state.calendars.values()]
    .filter((c) => c.summary === 'CanvasCal' && !c.deleted && c.owner === email)
    .map((c) => ({
      id: c.id,
      summaries: [...(state.events.get(c.id)?.values() ?? [])]
        .filter((e) => e.resource.status !== 'cancelled')
        .map((e) => String(e.resource.summary)),
    }));
}
