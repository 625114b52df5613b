import { describe, expect, it } from 'vitest';
import { serializeStorage } from '../../src/content/storage-xhtml.js';
import { textToStorage } from '../../src/content/text-to-storage.js';
import { expectWellFormed } from './content-test-support.js';

const render = (body: string): string => serializeStorage(textToStorage(body));

describe('textToStorage', () => {
  it('makes paragraphs from blank-line-separated blocks and <br/> from single breaks', () => {
    expect(render('one\r\ntwo\r\n\r\n \r\n\r\nthree\n')).toBe('<p>one<br/>two</p><p>three</p>');
  });

  it('escapes everything, so text never becomes markup', () => {
    const body = render('<script>alert(1)</script> & &nbsp; ]]> <b>');
    expect(body).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &amp;nbsp; ]]&gt; &lt;b&gt;</p>');
    expectWellFormed(body);
  });

  it('links http and https URLs, leaving sentence punctuation and unopened parentheses outside', () => {
    expect(render('See https://x.example/a?b=1&c=2. And (http://y.example/p).')).toBe(
      '<p>See <a href="https://x.example/a?b=1&amp;c=2">https://x.example/a?b=1&amp;c=2</a>. ' +
        'And (<a href="http://y.example/p">http://y.example/p</a>).</p>',
    );
    expect(render('https://en.example/wiki/Foo_(bar)')).toBe(
      '<p><a href="https://en.example/wiki/Foo_(bar)">https://en.example/wiki/Foo_(bar)</a></p>',
    );
  });

  it('does not link other schemes', () => {
    expect(render('javascript:alert(1) ftp://x.example')).toBe('<p>javascript:alert(1) ftp://x.example</p>');
  });

  it('drops characters XML forbids', () => {
    const body = render('a\u0000b\u001bc');
    expect(body).toBe('<p>abc</p>');
    expectWellFormed(body);
  });

  it('gives nothing for whitespace only', () => {
    expect(textToStorage(' \n\n \t\n')).toEqual([]);
  });
});
