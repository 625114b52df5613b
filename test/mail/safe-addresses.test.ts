import { describe, expect, it } from 'vitest';
import { mailboxesFromHeader, singleFrom } from '../../src/mail/safe-addresses.js';

describe('mailboxesFromHeader', () => {
  it('decodes display names but keeps the address as written', () => {
    expect(mailboxesFromHeader(['=?utf-8?Q?Ren=C3=A9e?= <renee@example.com>'])).toEqual([
      { name: 'Renée', address: 'renee@example.com' },
    ]);
  });

  it.each([
    ['an encoded local part', '=?utf-8?B?Y2Vv?=@bank.example'],
    ['an encoded domain', 'ceo@=?utf-8?B?YmFuay5leGFtcGxl?='],
    ['an encoded address in brackets', 'Boss <=?utf-8?B?Y2VvQGJhbmsuZXhhbXBsZQ==?=>'],
    ['an encoded word alone', '=?utf-8?B?Y2VvQGJhbmsuZXhhbXBsZQ==?='],
  ])('drops %s', (_label, header) => {
    expect(mailboxesFromHeader([header])).toEqual([]);
  });

  it('keeps the other mailboxes of a header when one is dropped', () => {
    expect(mailboxesFromHeader(['ceo@=?utf-8?B?YmFuay5leGFtcGxl?=, ok@example.com']).map((m) => m.address)).toEqual([
      'ok@example.com',
    ]);
  });

  it('reads every occurrence of a repeated header in order', () => {
    expect(mailboxesFromHeader(['a@example.com', 'b@example.com']).map((m) => m.address)).toEqual([
      'a@example.com',
      'b@example.com',
    ]);
  });
});

describe('singleFrom', () => {
  it('returns the one mailbox of a single From header', () => {
    expect(singleFrom(['Ann <ann@example.com>'])).toEqual({ name: 'Ann', address: 'ann@example.com' });
  });

  it('returns null when there is no From, several, or no usable address', () => {
    expect(singleFrom(undefined)).toBeNull();
    expect(singleFrom(['a@example.com', 'b@example.com'])).toBeNull();
    expect(singleFrom(['a@example.com, b@example.com'])).toBeNull();
    expect(singleFrom(['undisclosed-recipients:;'])).toBeNull();
  });
});
