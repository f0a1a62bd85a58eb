// A small, safe Markdown renderer: React elements from parsed data, never injected HTML.

import type { ReactNode } from 'react';
import { parseMarkdown, type InlineNode } from '../../lib/notebook/markdown.ts';

function renderInline(nodes: readonly InlineNode[], key: string): ReactNode[] {
  return nodes.map((node, n) => {
    const k = `${key}-${n}`;
    if (node.kind === 'text') return node.text;
    if (node.kind === 'code') return <code key={k}>{node.text}</code>;
    if (node.kind === 'strong') return <strong key={k}>{renderInline(node.children, k)}</strong>;
    if (node.kind === 'em') return <em key={k}>{renderInline(node.children, k)}</em>;
    const { href, external } = node.target;
    return external ? (
      <a key={k} href={href} target="_blank" rel="noopener noreferrer">
        {renderInline(node.children, k)}
      </a>
    ) : (
      <a key={k} href={href}>
        {renderInline(node.children, k)}
      </a>
    );
  });
}

/**
 * Renders Markdown prose (headings, paragraphs, lists, code, emphasis, links). Raw HTML shows as
 * text; links go only to http(s), mailto or this site, and outside links open in a new tab.
 */
export function Markdown({ source }: { source: string }) {
  return (
    <div className="markdown">
      {parseMarkdown(source).map((block, i) => {
        const key = `b${i}`;
        if (block.kind === 'heading') {
          const Tag = `h${Math.min(block.level + 1, 6)}` as 'h2';
          return <Tag key={key}>{renderInline(block.content, key)}</Tag>;
        }
        if (block.kind === 'code') return <pre key={key}>{block.text}</pre>;
        if (block.kind === 'list') {
          const items = block.items.map((item, j) => (
            <li key={j}>{renderInline(item, `${key}-${j}`)}</li>
          ));
          if (!block.ordered) return <ul key={key}>{items}</ul>;
          return (
            <ol key={key} start={block.start}>
              {items}
            </ol>
          );
        }
        return <p key={key}>{renderInline(block.content, key)}</p>;
      })}
    </div>
  );
}
