import { describe, expect, it } from 'vitest';
import { storageFormatError } from '../../simulator/storage-format.js';

describe('storage format well-formedness', () => {
  it('accepts well-formed storage with ac:/ri: elements, CDATA and numeric entities, without namespace declarations', () => {
    expect(storageFormatError('<p>a&#160;b &amp; c</p>')).toBeNull();
    expect(storageFormatError('<ac:image ac:width="600"><ri:attachment ri:filename="photo.png"/></ac:image>')).toBeNull();
    expect(
      storageFormatError('<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[if (a < b) {}]]></ac:plain-text-body></ac:structured-macro>'),
    ).toBeNull();
    expect(storageFormatError('plain text, no element')).toBeNull();
  });

  it('reports a stray </br> like kovetskiy/mark#54, with row and column', () => {
    expect(storageFormatError('<p>line one\n<p>a</br></p></p>')).toBe(
      'Error parsing xhtml: Unexpected close tag </br>; expected </p>.\n at [row,col {unknown-source}]: [2,9]',
    );
  });

  it('reports an unclosed <p> against the wrapper element, as Cloud does (terraform-provider-confluence#7)', () => {
    expect(storageFormatError('<p>This page was built with Terraform<p>')).toMatch(
      /^Error parsing xhtml: Unexpected close tag <\/xml>; expected <\/p>\.\n at \[row,col \{unknown-source\}\]: \[1,\d+\]$/,
    );
  });

  it('rejects HTML-only named entities such as &nbsp;', () => {
    expect(storageFormatError('<p>a&nbsp;b</p>')).toBe('Error parsing xhtml: Undeclared general entity "nbsp"\n at [row,col {unknown-source}]: [1,10]');
  });

  it('rejects valueless attributes, bad tag names and "]]>" in text', () => {
    expect(storageFormatError('<td nowrap>x</td>')).toMatch(/^Error parsing xhtml: Unexpected character '>' \(code 62\) expected '='/);
    expect(storageFormatError('<x[1]>y</x[1]>')).toMatch(/^Error parsing xhtml: Unexpected character '\[' \(code 91\) excepted space, or '>' or "\/>"/);
    expect(storageFormatError('<p>a]]>b</p>')).toMatch(/^Error parsing xhtml: String '\]\]>' not allowed in textual content/);
  });

  it('rejects HTML void elements left open', () => {
    expect(storageFormatError('<p>a<br>b</p>')).toMatch(/^Error parsing xhtml: Unexpected close tag <\/p>; expected <\/br>\./);
  });
});
