// Parses the Markdown of text cells into plain data (blocks and inline nodes); never into HTML.

/** A run of inline content: text, code, emphasis or a link whose address was checked. */
export type InlineNode =
  | { kind: 'text'; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'strong'; children: InlineNode[] }
  | { kind: 'em'; children: InlineNode[] }
  | { kind: 'link'; target: LinkTarget; children: InlineNode[] };

/** A block of a Markdown document. */
export type MarkdownBlock =
  | { kind: 'heading'; level: number; content: InlineNode[] }
  | { kind: 'code'; text: string }
  | { kind: 'list'; ordered: boolean; start: number; items: InlineNode[][] }
  | { kind: 'paragraph'; content: InlineNode[] };

/**
 * Where a link may go: `external` links (http, https, mailto) open in a new tab without a
 * referrer or an opener; `internal` ones (a path on this site or a `#` fragment) stay in it.
 */
export interface LinkTarget {
  href: string;
  external: boolean;
}

/**
 * The checked target of a link address, or null for any address a text cell must not link to:
 * `javascript:`, `data:` and other schemes, protocol-relative `//host` paths and bare words.
 */
export function linkTarget(address: string): LinkTarget | null {
  const unsafeChar = [...address].some((ch) => ch.charCodeAt(0) < 0x20 || ch === '\u007f');
  if (unsafeChar || /[\s\\]/.test(address)) return null;
  if (address.startsWith('#')) return { href: address, external: false };
  if (address.startsWith('/')) {
    return address.startsWith('//') ? null : { href: address, external: false };
  }
  if (!/^(https?:\/\/|mailto:)/i.test(address)) return null;
  try {
    return { href: new URL(address).href, external: true };
  } catch {
    return null;
  }
}

const ESCAPABLE = new Set('\\`*_[]()#+-.!>'.split(''));

/** The index just past a link's `(address)` starting at `open`, or -1; parentheses may nest. */
function addressEnd(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i += 1) {
    const ch = text[i];
    if (ch === '\\') i += 1;
    else if (ch === '(') depth += 1;
    else if (ch === ')') {
      depth -= 1;
      if (depth === 0) return i + 1;
    } else if (ch === ' ' || ch === '\t') return -1;
  }
  return -1;
}

/** The index of the `]` closing a link label that starts at `open`, or -1. */
function labelEnd(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i += 1) {
    if (text[i] === '\\') i += 1;
    else if (text[i] === ']') return i;
    else if (text[i] === '[') return -1;
  }
  return -1;
}

/** The index of a closing emphasis `marker` after `from` (not preceded by a space), or -1. */
function emphasisEnd(text: string, from: number, marker: string): number {
  for (let i = from; i < text.length; i += 1) {
    if (text[i] === '\\') i += 1;
    else if (text[i] === '`') {
      const close = text.indexOf('`', i + 1);
      if (close > 0) i = close;
    } else if (text.startsWith(marker, i) && !/\s/.test(text[i - 1] ?? ' ')) {
      if (marker === '*' && text[i + 1] === '*') i += 1;
      else return i;
    }
  }
  return -1;
}

/** What an inline construct at some index parsed into, and where it ends. */
type Match = { nodes: InlineNode[]; end: number } | null;

function matchCode(text: string, at: number): Match {
  const close = text.indexOf('`', at + 1);
  if (close <= at + 1) return null;
  return { nodes: [{ kind: 'code', text: text.slice(at + 1, close) }], end: close + 1 };
}

function matchEmphasis(text: string, at: number): Match {
  const marker = text.startsWith('**', at) ? '**' : '*';
  const start = at + marker.length;
  if (/\s/.test(text[start] ?? ' ')) return null;
  const close = emphasisEnd(text, start, marker);
  if (close <= start) return null;
  const children = parseInline(text.slice(start, close));
  const node: InlineNode =
    marker === '**' ? { kind: 'strong', children } : { kind: 'em', children };
  return { nodes: [node], end: close + marker.length };
}

function matchLink(text: string, at: number): Match {
  const close = labelEnd(text, at);
  if (close < 0 || text[close + 1] !== '(') return null;
  const end = addressEnd(text, close + 1);
  if (end < 0) return null;
  const address = text
    .slice(close + 2, end - 1)
    .replace(/\\(.)/g, (escaped, ch: string) => (ESCAPABLE.has(ch) ? ch : escaped));
  const children = parseInline(text.slice(at + 1, close));
  const target = linkTarget(address);
  return { nodes: target ? [{ kind: 'link', target, children }] : children, end };
}

function matchAt(text: string, at: number): Match {
  const ch = text[at];
  if (ch === '`') return matchCode(text, at);
  if (ch === '*') return matchEmphasis(text, at);
  if (ch === '[') return matchLink(text, at);
  return null;
}

/**
 * Inline Markdown: `code`, **strong**, *emphasis* and [links](address) whose address may hold
 * balanced parentheses (as Wikipedia addresses do); a backslash escapes punctuation.
 */
export function parseInline(text: string): InlineNode[] {
  const out: InlineNode[] = [];
  let plain = '';
  const flush = () => {
    if (plain) out.push({ kind: 'text', text: plain });
    plain = '';
  };

  for (let i = 0; i < text.length;) {
    const ch = text[i] ?? '';
    const next = text[i + 1] ?? '';
    if (ch === '\\' && ESCAPABLE.has(next)) {
      plain += next;
      i += 2;
      continue;
    }
    const match = matchAt(text, i);
    if (match) {
      flush();
      out.push(...match.nodes);
      i = match.end;
    } else {
      plain += ch;
      i += 1;
    }
  }

  flush();
  return out;
}

const HEADING = /^(#{1,6})\s+(.*)$/;
const LIST_ITEM = /^\s*([-*+]|\d{1,9}[.)])\s+/;
const FENCE = /^\s*```/;

/** Whether `line` starts a block other than a paragraph (so it ends a paragraph). */
function startsBlock(line: string): boolean {
  return HEADING.test(line) || LIST_ITEM.test(line) || FENCE.test(line);
}

/**
 * Block Markdown: headings (`#` to `######`), fenced code, bulleted and numbered lists and
 * paragraphs. Every line is consumed exactly once, so any text parses in linear time.
 */
export function parseMarkdown(source: string): MarkdownBlock[] {
  const lines = source.split(/\r?\n/);
  const out: MarkdownBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    const heading = HEADING.exec(line);
    if (FENCE.test(line)) {
      const body: string[] = [];
      for (i += 1; i < lines.length && !FENCE.test(lines[i] ?? ''); i += 1) {
        body.push(lines[i] ?? '');
      }
      out.push({ kind: 'code', text: body.join('\n') });
      i += 1;
    } else if (heading) {
      const level = heading[1]?.length ?? 1;
      out.push({ kind: 'heading', level, content: parseInline(heading[2] ?? '') });
      i += 1;
    } else if (LIST_ITEM.test(line)) {
      const ordered = /^\s*\d/.test(line);
      const start = ordered ? Number(/\d+/.exec(line)?.[0] ?? 1) : 1;
      const items: InlineNode[][] = [];
      for (; i < lines.length && LIST_ITEM.test(lines[i] ?? ''); i += 1) {
        items.push(parseInline((lines[i] ?? '').replace(LIST_ITEM, '')));
      }
      out.push({ kind: 'list', ordered, start, items });
    } else if (line.trim() === '') {
      i += 1;
    } else {
      const para = [line];
      for (i += 1; i < lines.length; i += 1) {
        const next = lines[i] ?? '';
        if (next.trim() === '' || startsBlock(next)) break;
        para.push(next);
      }
      out.push({ kind: 'paragraph', content: parseInline(para.join(' ')) });
    }
  }
  return out;
}
