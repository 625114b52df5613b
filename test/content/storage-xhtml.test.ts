import { describe, expect, it } from 'vitest';
import {
  cdata,
  cdataSection,
  el,
  escapeAttr,
  escapeText,
  serializeStorage,
  stripNonXmlChars,
  text,
} from '../../src/content/storage-xhtml.js';
import { expectWellFormed, parseStrictXml } from './content-test-support.js';

describe('the well-formedness check itself', () => {
  it.each([
    ['an HTML void element', '<p>a<br>b</p>'],
    ['an undeclared named entity', '<p>a&nbsp;b</p>'],
    ['a valueless attribute', '<td nowrap>x</td>'],
    ['an unquoted attribute', '<td colspan=2>x</td>'],
    ['a stray less-than', '<p>List<String></p>'],
    ['a stray ampersand', '<p>a & b</p>'],
    ['a control character', '<p>a\u0001b</p>'],
    ['mis-nesting', '<b><i>x</b></i>'],
    [']]> in text', '<p>a]]>b</p>'],
  ])('rejects %s', (_label, body) => {
    expect(parseStrictXml(body)).not.toEqual([]);
  });

  it('accepts undeclared ac:/ri: prefixes', () => {
    expectWellFormed('<ac:image ac:alt="x"><ri:attachment ri:filename="a.png"/></ac:image>');
  });
});

describe('escaping', () => {
  it('escapes text with the XML entities only', () => {
    expect(escapeText('a < b && c > d "q" \'s\' \u00a0')).toBe('a &lt; b &amp;&amp; c &gt; d "q" \'s\' \u00a0');
  });

  it('escapes attribute values, keeping tab and newlines as references', () => {
    expect(escapeAttr('a"b<c>&d\te\nf\rg')).toBe('a&quot;b&lt;c&gt;&amp;d&#9;e&#10;f&#13;g');
  });

  it('removes characters XML 1.0 forbids and C1 controls, keeps astral characters', () => {
    expect(stripNonXmlChars('a\u0000b\u0008c\u000bd\u001fe\u007ff\u0085g\ud800h\uffffi😀\t\n\r')).toBe('abcdefghi😀\t\n\r');
  });

  it('splits ]]> inside CDATA', () => {
    expect(cdataSection('a]]>b]]>')).toBe('<![CDATA[a]]]]><![CDATA[>b]]]]><![CDATA[>]]>');
    expectWellFormed(`<x>${cdataSection('a]]>b')}</x>`);
  });
});

describe('serializeStorage', () => {
  it('self-closes void and ri: elements and closes everything else', () => {
    const body = serializeStorage([
      el('p', {}, [text('a'), el('br'), el('b', {}, [])]),
      el('hr'),
      el('ac:link', {}, [el('ri:attachment', { 'ri:filename': 'x & y.pdf' }), el('ac:plain-text-link-body', {}, [cdata('x ]]> y')])]),
    ]);
    expect(body).toBe(
      '<p>a<br/><b></b></p><hr/><ac:link><ri:attachment ri:filename="x &amp; y.pdf"/>' +
        '<ac:plain-text-link-body><![CDATA[x ]]]]><![CDATA[> y]]></ac:plain-text-link-body></ac:link>',
    );
    expectWellFormed(body);
  });

  it('refuses element and attribute names that are not plain XML names', () => {
    expect(() => serializeStorage([el('p onclick="x"')])).toThrow(/not an XML name/);
    expect(() => serializeStorage([el('p', { 'a b': 'c' })])).toThrow(/not an XML name/);
  });
});
