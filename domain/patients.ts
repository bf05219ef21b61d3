/** Patient rules shared by the API and later by workflows. */

export const ADULT_AGE = 18;

/** Age in whole years on `today` (both YYYY-MM-DD). */
export function ageOn(dateOfBirth: string, today: string): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}

export function isMinor(dateOfBirth: string | null | undefined, today: string): boolean {
  return !!dateOfBirth && ageOn(dateOfBirth, today) < ADULT_AGE;
}

// Crockford's base32 without look-alike characters, so staff can type a code off a worn card.
const BARCODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A card code such as P-7K3M9Q2XHT from 10 random bytes' worth of entropy (caller supplies the randomness). */
export function barcodeFrom(randomBytes: Uint8Array): string {
  let code = '';
  for (const byte of randomBytes.slice(0, 10)) code += BARCODE_ALPHABET[byte % 32];
  return `P-${code}`;
}
