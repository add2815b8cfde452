import { Temporal } from 'temporal-polyfill';
import type { SyllabusFact } from './canvas-state.ts';

/** A syllabus as teachers write them in Canvas's editor: a schedule table, a dated list, or prose. */
export type SyllabusStyle = 'table' | 'list' | 'prose';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const short = (d: Temporal.PlainDate) => `${MONTHS[d.month - 1]} ${d.day}`;

/** The US Thanksgiving of `year` (fourth Thursday of November). */
function thanksgiving(year: number): Temporal.PlainDate {
  const first = Temporal.PlainDate.from({ year, month: 11, day: 1 });
  return first.add({ days: ((4 - first.dayOfWeek + 7) % 7) + 21 });
}

/**
 * The syllabus of a course whose term starts on `termStart` (a Monday), with class on
 * `meetingOffset` days after each Monday: weekly topics, a midterm, a final and a holiday
 * (Thanksgiving when the term spans it, else a reading day). Realistic HTML, as Canvas stores
 * it, and the dates it states as its author means them (weekly topics and office hours are
 * not dates a student must keep).
 */
export function syllabusHtml(options: {
  code: string;
  name: string;
  termStart: Temporal.PlainDate;
  weeks: number;
  topics: string[];
  meetingOffset: number;
  style: SyllabusStyle;
}): { html: string; dates: SyllabusFact[] } {
  const { termStart, weeks, topics, meetingOffset, style } = options;
  const termEnd = termStart.add({ weeks });
  const turkey = thanksgiving(termStart.year);
  const holiday =
    Temporal.PlainDate.compare(turkey, termStart) > 0 && Temporal.PlainDate.compare(turkey, termEnd) < 0
      ? { date: turkey, text: 'No class — Thanksgiving' }
      : { date: termStart.add({ weeks: 9, days: 2 }), text: 'No class — Reading day' };
  const midterm = termStart.add({ weeks: 7, days: meetingOffset });
  const final = termStart.add({ weeks: weeks - 1, days: meetingOffset + 2 });
  const week = (n: number) => termStart.add({ weeks: n - 1, days: meetingOffset });
  const topic = (n: number) => topics[(n - 1) % topics.length] ?? 'Review';
  const fact = (title: string, date: Temporal.PlainDate, time?: string): SyllabusFact => ({
    title,
    date: date.toString(),
    ...(time === undefined ? {} : { time }),
    holiday: false,
  });
  const day = { ...fact(holiday.text, holiday.date), holiday: true };
  const header = `<h2>${options.code}: ${options.name}</h2>\n<p>Office hours: Tuesdays 2–4 pm, or by appointment. All times are Central Time.</p>`;

  if (style === 'table') {
    const rows = Array.from({ length: weeks }, (_, i) => {
      const n = i + 1;
      const notes =
        n === 8
          ? `<strong>Midterm: ${short(midterm)}</strong>`
          : n === weeks
            ? `Final exam: ${short(final)}`
            : '';
      return `  <tr>\n    <td>Week ${n}</td>\n    <td>${short(week(n))}</td>\n    <td>${topic(n)}</td>\n    <td>${notes}</td>\n  </tr>`;
    });
    const html = `${header}
<h3>Course schedule</h3>
<table style="border-collapse: collapse; width: 100%;" border="1">
<thead>
  <tr>
    <th>Week</th>
    <th>Date</th>
    <th>Topic</th>
    <th>Notes</th>
  </tr>
</thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
<p><em>${holiday.text}, ${short(holiday.date)}.</em></p>`;
    return { html, dates: [fact('Midterm', midterm), day, fact('Final exam', final)] };
  }
  if (style === 'list') {
    const items = Array.from(
      { length: weeks },
      (_, i) => `  <li>Week ${i + 1} (${short(week(i + 1))}): ${topic(i + 1)}</li>`,
    );
    const html = `${header}
<h3>Schedule</h3>
<ul>
${items.join('\n')}
</ul>
<h3>Important dates</h3>
<ul>
  <li>Midterm: ${short(midterm)}</li>
  <li>${holiday.text}, ${short(holiday.date)}</li>
  <li>Final exam: ${short(final)}, 10:30 am–12:30 pm</li>
</ul>`;
    return {
      html,
      dates: [fact('Midterm', midterm), day, fact('Final exam', final, '10:30')],
    };
  }
  const html = `${header}
<h3>Exams and deadlines</h3>
<p>First class: ${short(week(1))}. Readings are posted a week ahead in Modules.</p>
<p>Midterm (in class): ${short(midterm)}. Research paper proposal due ${short(week(5))} at 11:59 pm.</p>
<p>${holiday.text}, ${short(holiday.date)}. Enjoy the break!</p>
<p>Final exam: ${short(final)}; bring a pencil and your student ID.</p>`;
  return {
    html,
    dates: [
      fact('First class', week(1)),
      fact('Research paper proposal', week(5), '23:59'),
      fact('Midterm (in class)', midterm),
      day,
      fact('Final exam', final),
    ],
  };
}
