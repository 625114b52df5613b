import { describe, expect, it } from 'vitest';
import { sanitizeShareHtml } from '../../../src/share/render/sanitize-share-html.js';

/** The sanitizer on its own, as if the converter had let something through. */
describe('sanitizeShareHtml', () => {
  it.each([
    ['a remote image', '<p><img src="https://tracker.example.net/p.gif">x</p>', '<p>x</p>'],
    ['a relative image', '<p><img src="logo.png">x</p>', '<p>x</p>'],
    ['a cid image', '<img src="cid:a@b" alt="a" onerror="x()">', '<img src="cid:a@b" alt="a" />'],
    ['a relative link', '<a href="/wiki/x">x</a>', '<span>x</span>'],
    ['a javascript link', '<a href="javascript:alert(1)">x</a>', '<span>x</span>'],
    ['a protocol-relative link', '<a href="//evil.example/x">x</a>', '<span>x</span>'],
    ['a script', '<p>a<script>alert(1)</script>b</p>', '<p>ab</p>'],
    ['an iframe', '<iframe src="https://x.example/"></iframe>after', 'after'],
    ['a form', '<form action="https://x.example/"><input name="p"><button>go</button></form>', ''],
    ['a foreign class and an id', '<p class="evil m2c-note" id="x">p</p>', '<p class="m2c-note">p</p>'],
    ['a harmful style', '<span style="position: fixed; color: #c00; background-image: url(https://x.example/a.gif)">s</span>', '<span style="color:#c00">s</span>'],
  ])('%s', (_name, input, expected) => {
    expect(sanitizeShareHtml(input)).toBe(expected);
  });
});
