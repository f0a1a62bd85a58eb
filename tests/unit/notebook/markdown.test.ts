// The Markdown parser of text cells: links with parentheses, unsafe addresses, every line ends.
import { describe, expect, it } from 'vitest';
import {
  linkTarget,
  parseInline,
  parseMarkdown,
  type InlineNode,
} from '../../../lib/notebook/markdown.ts';

const text = (value: string): InlineNode => ({ kind: 'text', text: value });

describe('links', () => {
  it('keeps balanced parentheses in an address (Wikipedia style)', () => {
    const href = 'https://en.wikipedia.org/wiki/Transformer_(deep_learning_architecture)';
    expect(parseInline(`See [the article](${href}).`)).toEqual([
      text('See '),
      { kind: 'link', target: { href, external: true }, children: [text('the article')] },
      text('.'),
    ]);
  });

  it('ends an address at the parenthesis that closes it', () => {
    expect(parseInline('([a](/x) and more)')).toEqual([
      text('('),
      { kind: 'link', target: { href: '/x', external: false }, children: [text('a')] },
      text(' and more)'),
    ]);
  });

  it.each([
    ['javascript:alert(1)'],
    ['JavaScript:alert(1)'],
    ['data:text/html,<script>alert(1)</script>'],
    ['vbscript:msgbox(1)'],
    ['//evil.example/x'],
    ['/\\evil.example/x'],
    ['java\tscript:alert(1)'],
    ['relative/page'],
  ])('refuses %s and makes no link of it', (address) => {
    expect(linkTarget(address)).toBeNull();
    expect(JSON.stringify(parseInline(`[click](${address})`))).not.toContain('"link"');
  });

  it.each([
    ['https://huggingface.co/meta-llama', true],
    ['http://127.0.0.1:3000/', true],
    ['mailto:team@example.org', true],
    ['/notebook/?example=fit-70b-two-3090', false],
    ['#nb1.0badc0de.AAAA', false],
  ])('allows %s (external: %s)', (address, external) => {
    expect(linkTarget(address)?.external).toBe(external);
  });

  it('keeps only the label of a refused link', () => {
    expect(parseInline('[click](javascript:alert(1))')).toEqual([text('click')]);
  });

  it('parses a label with emphasis inside', () => {
    expect(parseInline('[**bold** word](/a)')).toEqual([
      {
        kind: 'link',
        target: { href: '/a', external: false },
        children: [{ kind: 'strong', children: [text('bold')] }, text(' word')],
      },
    ]);
  });
});

describe('inline text', () => {
  it('shows raw HTML as text, never as markup', () => {
    expect(parseInline('<img src=x onerror=alert(1)>')).toEqual([
      text('<img src=x onerror=alert(1)>'),
    ]);
  });

  it('leaves a lone star between spaces alone (2 * 3 * 4)', () => {
    expect(parseInline('2 * 3 * 4')).toEqual([text('2 * 3 * 4')]);
  });

  it('treats a backslash-escaped star as a star', () => {
    expect(parseInline('\\*not em\\*')).toEqual([text('*not em*')]);
  });

  it('keeps stars inside code', () => {
    expect(parseInline('`a*b*c`')).toEqual([{ kind: 'code', text: 'a*b*c' }]);
  });
});

describe('blocks', () => {
  it.each([['#hashtag'], ['##### five'], ['####### seven'], ['#']])(
    'ends on a paragraph that starts with # (%s)',
    (line) => {
      const blocks = parseMarkdown(`${line}\nnext line`);
      expect(blocks.length).toBeGreaterThan(0);
      expect(JSON.stringify(blocks)).toContain('next line');
    },
  );

  it('reads headings one to six levels deep', () => {
    const levels = parseMarkdown('# a\n###### f').map((b) => (b.kind === 'heading' ? b.level : 0));
    expect(levels).toEqual([1, 6]);
  });

  it('reads Windows line endings', () => {
    expect(parseMarkdown('# Title\r\nBody\r\n')).toEqual([
      { kind: 'heading', level: 1, content: [text('Title')] },
      { kind: 'paragraph', content: [text('Body')] },
    ]);
  });

  it('keeps the first number of an ordered list', () => {
    expect(parseMarkdown('3. three\n4. four')).toEqual([
      { kind: 'list', ordered: true, start: 3, items: [[text('three')], [text('four')]] },
    ]);
  });

  it('joins the lines of a paragraph and stops at a list', () => {
    expect(parseMarkdown('one\ntwo\n- item')).toEqual([
      { kind: 'paragraph', content: [text('one two')] },
      { kind: 'list', ordered: false, start: 1, items: [[text('item')]] },
    ]);
  });

  it('keeps a fenced block verbatim', () => {
    expect(parseMarkdown('```\n**x** [a](javascript:1)\n```')).toEqual([
      { kind: 'code', text: '**x** [a](javascript:1)' },
    ]);
  });
});
