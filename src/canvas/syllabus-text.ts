import { type HTMLElement, type Node, NodeType, parse } from 'node-html-parser';

/** A run of text a reader sees as one line, or one row of a table with its column headings. */
export type SyllabusBlock =
  | { kind: 'line'; text: string }
  | { kind: 'row'; cells: string[][]; headings: string[] };

const BLOCK_TAGS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'caption',
  'dd',
  'div',
  'dl',
  'dt',
  'figcaption',
  'figure',
  'footer',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'details',
  'ul',
]);
const SKIPPED_TAGS = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'head',
  'title',
  'iframe',
  'object',
]);

/**
 * Canvas rich-content HTML as a reader sees it: paragraphs, list items, headings and `<br>`
 * breaks become lines; each table row becomes one row of cells (each cell's own lines kept
 * apart) with the table's headings. Never throws: the parser is lenient with any input.
 */
export function syllabusBlocks(html: string): SyllabusBlock[] {
  const blocks: SyllabusBlock[] = [];
  const root = parse(html, { lowerCaseTagName: true, comment: false });
  let line = '';
  const flush = () => {
    const text = tidy(line);
    if (text) blocks.push({ kind: 'line', text });
    line = '';
  };
  const walk = (node: Node) => {
    if (node.nodeType === NodeType.TEXT_NODE) {
      line += node.text;
      return;
    }
    if (node.nodeType !== NodeType.ELEMENT_NODE) return;
    const element = node as HTMLElement;
    const tag = element.rawTagName?.toLowerCase() ?? '';
    if (SKIPPED_TAGS.has(tag)) return;
    if (tag === 'br') return flush();
    if (tag === 'table') {
      flush();
      blocks.push(...tableRows(element));
      return;
    }
    const block = BLOCK_TAGS.has(tag);
    if (block) flush();
    for (const child of element.childNodes) walk(child);
    if (block) flush();
  };
  walk(root);
  flush();
  return blocks;
}

function tableRows(table: HTMLElement): SyllabusBlock[] {
  const rows: SyllabusBlock[] = [];
  let headings: string[] = [];
  // Rows of this table only: a table nested in a cell is read as that cell's text.
  const ownRows = table.querySelectorAll('tr').filter((tr) => tr.closest('table') === table);
  for (const tr of ownRows) {
    const cellElements = tr.childNodes.filter(
      (n): n is HTMLElement =>
        n.nodeType === NodeType.ELEMENT_NODE && ['td', 'th'].includes((n as HTMLElement).rawTagName),
    );
    const cells = cellElements.map(cellLines);
    // Headings: a row of <th>, a <thead>, or a first row with no number in it ("Week | Date | Due").
    const isHeading =
      cellElements.length > 0 &&
      (cellElements.every((c) => c.rawTagName === 'th') ||
        tr.closest('thead') !== null ||
        (rows.length === 0 &&
          headings.length === 0 &&
          cells.length > 1 &&
          !cells.flat().some((t) => /\d/.test(t))));
    if (isHeading) {
      headings = cells.map((lines) => lines.join(' '));
      continue;
    }
    if (cells.some((lines) => lines.length > 0)) rows.push({ kind: 'row', cells, headings });
  }
  return rows;
}

function cellLines(cell: HTMLElement): string[] {
  return syllabusBlocks(cell.innerHTML).flatMap((b) => (b.kind === 'line' ? [b.text] : b.cells.flat()));
}

function tidy(text: string): string {
  return text
    .replace(/[\u00ad\u200b-\u200d\ufeff]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}
