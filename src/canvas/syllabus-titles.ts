/** What a dated syllabus item is, judged from its words. */
export type SyllabusKind = 'exam' | 'deadline' | 'holiday' | 'event';

export const HOLIDAY =
  /\b(no class(es)?|no school|holidays?|break|recess|thanksgiving|vacation|closed|cancell?ed|day off)\b/i;
const EXAM = /\b(exams?|mid-?terms?|quiz(zes)?|test\s*#?\d+|(unit|chapter|class) tests?)\b/i;
const DEADLINE =
  /\b(due|deadlines?|submit|submission|hand in|turn in|homework|hw ?\d+|assignments?|projects?|papers?|essays?|reports?|problem sets?)\b/i;
const WEEK_LABEL = /\b(week|wk)\.?\s*\d+\b\s*:?/gi;
const EDGE_WORDS =
  /^(due|on|by|at|before|until|from|and|or|&|is)\b\s*|\s*\b(due|on|by|at|before|until|from|and|or|&|is)$/i;
const EDGE_PUNCTUATION = /^[\s:;,.\-–—|()[\]@/]+|[\s:;,.\-–—|([@/]+$/;
const MAX_TITLE = 120;

/**
 * What is left of a line once its dates, week labels, edge punctuation and dangling words
 * ("due", "by", "on") are cut out; empty when no letter or digit is left.
 */
export function titleOf(text: string, spans: ReadonlyArray<{ index: number; text: string }>): string {
  let title = text;
  // Cut from the end so earlier indexes stay right.
  for (const r of [...spans].sort((a, b) => b.index - a.index)) {
    title = `${title.slice(0, r.index)} ${title.slice(r.index + r.text.length)}`;
  }
  title = title
    .replace(WEEK_LABEL, ' ')
    .replace(/\(\s*\)|\[\s*\]/g, ' ')
    .replace(/\s+/g, ' ');
  for (let previous = ''; previous !== title; ) {
    previous = title;
    title = title.replace(EDGE_PUNCTUATION, '').replace(EDGE_WORDS, '').trim();
  }
  if (!/[\p{L}\p{N}]/u.test(title)) return '';
  return title.length > MAX_TITLE ? `${title.slice(0, MAX_TITLE - 1).trimEnd()}…` : title;
}

/** Holiday before exam before deadline: "No class — exam review" is a day off. */
export function kindOf(title: string): SyllabusKind {
  if (HOLIDAY.test(title)) return 'holiday';
  if (EXAM.test(title)) return 'exam';
  if (DEADLINE.test(title)) return 'deadline';
  return 'event';
}

/** A line cut where one item ends and the next begins: ";", bullets, " | ", sentence ends. */
export function clauses(text: string): string[] {
  return text
    .split(/\s*;\s*|\s+[•·]\s+|\s+\|\s+|(?<=[a-z0-9)])\.\s+(?=[A-Z])/)
    .map((c) => c.trim())
    .filter(Boolean);
}
