// A small, safe Markdown renderer: builds React elements, never injects HTML.

import type { ReactNode } from 'react';

function safeHref(href: string): string | null {
  return /^(https?:|mailto:|\/|#)/i.test(href) ? href : null;
}

function inline(text: string, key: string): ReactNode[] {
  const out: ReactNode[] = [];
  const pattern = /(`[^`]+`|\*\*[^*]+\*\*|\*[^*]+\*|\[[^\]]+\]\([^)\s]+\))/g;
  let last = 0;
  let n = 0;
  for (const match of text.matchAll(pattern)) {
    const token = match[0];
    if (match.index > last) out.push(text.slice(last, match.index));
    const k = `${key}-${n++}`;
    if (token.startsWith('`')) out.push(<code key={k}>{token.slice(1, -1)}</code>);
    else if (token.startsWith('**')) out.push(<strong key={k}>{token.slice(2, -2)}</strong>);
    else if (token.startsWith('*')) out.push(<em key={k}>{token.slice(1, -1)}</em>);
    else {
      const [, label = '', href = ''] = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(token) ?? [];
      const safe = safeHref(href);
      out.push(
        safe ? (
          <a key={k} href={safe} rel="noopener noreferrer">
            {label}
          </a>
        ) : (
          label
        ),
      );
    }
    last = match.index + token.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

type Block =
  | { kind: 'heading'; level: number; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'list'; ordered: boolean; items: string[] }
  | { kind: 'paragraph'; text: string };

function blocks(source: string): Block[] {
  const lines = source.split('\n');
  const out: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    const heading = /^(#{1,4})\s+(.*)$/.exec(line);
    if (line.startsWith('```')) {
      const body: string[] = [];
      for (i += 1; i < lines.length && !(lines[i] ?? '').startsWith('```'); i += 1)
        body.push(lines[i] ?? '');
      out.push({ kind: 'code', text: body.join('\n') });
      i += 1;
    } else if (heading) {
      out.push({ kind: 'heading', level: heading[1]?.length ?? 1, text: heading[2] ?? '' });
      i += 1;
    } else if (/^\s*([-*]|\d+\.)\s+/.test(line)) {
      const ordered = /^\s*\d+\./.test(line);
      const items: string[] = [];
      for (; i < lines.length && /^\s*([-*]|\d+\.)\s+/.test(lines[i] ?? ''); i += 1) {
        items.push((lines[i] ?? '').replace(/^\s*([-*]|\d+\.)\s+/, ''));
      }
      out.push({ kind: 'list', ordered, items });
    } else if (line.trim() === '') {
      i += 1;
    } else {
      const para: string[] = [];
      for (
        ;
        i < lines.length &&
        (lines[i] ?? '').trim() !== '' &&
        !/^(#|```|\s*([-*]|\d+\.)\s)/.test(lines[i] ?? '');
        i += 1
      ) {
        para.push(lines[i] ?? '');
      }
      out.push({ kind: 'paragraph', text: para.join(' ') });
    }
  }
  return out;
}

/** Renders Markdown prose (headings, paragraphs, lists, code, emphasis, links). */
export function Markdown({ source }: { source: string }) {
  return (
    <div className="markdown">
      {blocks(source).map((block, i) => {
        const key = `b${i}`;
        if (block.kind === 'heading') {
          const Tag = `h${Math.min(block.level + 1, 5)}` as 'h2';
          return <Tag key={key}>{inline(block.text, key)}</Tag>;
        }
        if (block.kind === 'code') return <pre key={key}>{block.text}</pre>;
        if (block.kind === 'list') {
          const items = block.items.map((item, j) => (
            <li key={j}>{inline(item, `${key}-${j}`)}</li>
          ));
          return block.ordered ? <ol key={key}>{items}</ol> : <ul key={key}>{items}</ul>;
        }
        return <p key={key}>{inline(block.text, key)}</p>;
      })}
    </div>
  );
}
