// Tests run under Node, not in the workflow sandbox the domain import rule protects.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADULT_AGE, ageOn, barcodeFrom, isMinor } from './patients';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

describe('ageOn', () => {
  test('counts whole years, turning over on the birthday itself', () => {
    assert.equal(ageOn('1990-06-15', '2020-06-14'), 29);
    assert.equal(ageOn('1990-06-15', '2020-06-15'), 30);
    assert.equal(ageOn('1990-06-15', '2020-06-16'), 30);
  });

  test('compares months before days', () => {
    assert.equal(ageOn('1990-06-15', '2020-05-31'), 29, 'earlier month, later day');
    assert.equal(ageOn('1990-06-15', '2020-07-01'), 30, 'later month, earlier day');
    assert.equal(ageOn('1990-12-31', '2021-01-01'), 30, 'across New Year');
    assert.equal(ageOn('1990-01-01', '2020-12-31'), 30);
  });

  test('is 0 on the day of birth and through the first year', () => {
    assert.equal(ageOn('2024-03-10', '2024-03-10'), 0);
    assert.equal(ageOn('2024-03-10', '2025-03-09'), 0);
    assert.equal(ageOn('2024-03-10', '2025-03-10'), 1);
  });

  test('a leap-day birthday counts in common years from 1 March and on 29 February in leap years', () => {
    assert.equal(ageOn('2000-02-29', '2001-02-28'), 0);
    assert.equal(ageOn('2000-02-29', '2001-03-01'), 1);
    assert.equal(ageOn('2000-02-29', '2004-02-28'), 3);
    assert.equal(ageOn('2000-02-29', '2004-02-29'), 4);
    assert.equal(ageOn('2000-02-29', '2018-02-28'), 17);
    assert.equal(ageOn('2000-02-29', '2018-03-01'), 18);
  });

  test('someone born on 28 February is a year older on 28 February of a leap year', () => {
    assert.equal(ageOn('2003-02-28', '2004-02-28'), 1);
    assert.equal(ageOn('2003-02-28', '2004-02-27'), 0);
  });
});

describe('isMinor', () => {
  test('is a minor until the 18th birthday, not on it', () => {
    assert.equal(ADULT_AGE, 18);
    assert.equal(isMinor('2006-09-01', '2024-08-31'), true);
    assert.equal(isMinor('2006-09-01', '2024-09-01'), false);
    assert.equal(isMinor('1970-01-01', '2024-09-01'), false);
    assert.equal(isMinor('2020-01-01', '2024-09-01'), true);
  });

  test('leap-day births come of age on 1 March in a common year', () => {
    assert.equal(isMinor('2000-02-29', '2018-02-28'), true);
    assert.equal(isMinor('2000-02-29', '2018-03-01'), false);
  });

  test('an unknown date of birth is not a minor', () => {
    assert.equal(isMinor(null, '2024-01-01'), false);
    assert.equal(isMinor(undefined, '2024-01-01'), false);
    assert.equal(isMinor('', '2024-01-01'), false);
  });
});

describe('barcodeFrom', () => {
  test('uses only the 32-character alphabet without look-alikes I, L, O, U', () => {
    assert.equal(new Set(ALPHABET).size, 32);
    for (const ch of 'ILOU') assert.ok(!ALPHABET.includes(ch));
    const seen = new Set<string>();
    for (let b = 0; b < 256; b += 10) {
      const bytes = Uint8Array.from({ length: 10 }, (_, i) => (b + i) % 256);
      const code = barcodeFrom(bytes);
      assert.match(code, /^P-[0-9A-HJKMNP-TV-Z]{10}$/);
      for (const ch of code.slice(2)) seen.add(ch);
    }
    assert.deepEqual([...seen].sort().join(''), [...ALPHABET].sort().join(''), 'every symbol of the alphabet is reachable');
  });

  test('maps each byte to alphabet[byte % 32], in order', () => {
    assert.equal(barcodeFrom(new Uint8Array(10)), 'P-0000000000');
    assert.equal(barcodeFrom(Uint8Array.from([0, 1, 2, 9, 10, 17, 18, 31, 32, 255])), 'P-0129AHJZ0Z');
    assert.equal(barcodeFrom(Uint8Array.from([31, 63, 95, 127, 159, 191, 223, 255, 30, 62])), 'P-ZZZZZZZZYY');
  });

  test('reads exactly 10 bytes: extra bytes do not lengthen the code', () => {
    const long = Uint8Array.from({ length: 32 }, (_, i) => i);
    const code = barcodeFrom(long);
    assert.equal(code.length, 12);
    assert.equal(code, barcodeFrom(long.slice(0, 10)));
  });

  test('is deterministic for the same bytes and differs for different bytes', () => {
    const a = Uint8Array.from([5, 4, 3, 2, 1, 0, 9, 8, 7, 6]);
    assert.equal(barcodeFrom(a), barcodeFrom(Uint8Array.from(a)));
    assert.notEqual(barcodeFrom(a), barcodeFrom(Uint8Array.from([5, 4, 3, 2, 1, 0, 9, 8, 7, 7])));
  });
});
