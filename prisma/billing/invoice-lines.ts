/**
 * What an invoice bills and how its tax is computed. Money is Decimal throughout (never floats).
 *
 * The rounding rule: each line is rounded to the cent on its own, half away from zero (ROUND_HALF_UP),
 *  - its amount: quantity × unit price − discount;
 *  - tax added on top (pricesIncludeTax false): tax = amount × rate / 100, rounded; net = amount;
 *    line total = net + tax;
 *  - tax included in the price (true): tax = amount × rate / (100 + rate), rounded; net = amount − tax;
 *    line total = amount.
 * The invoice's subtotal, tax and total are the sums of its rounded lines, rounded to the cent (so
 * the lines always add up to what is printed; the tax of the total may differ from the sum of the
 * lines' taxes by a cent per line, and the lines win).
 */
import { type RawQuerier } from '../appointment-usage';
import { Prisma } from '../generated/client';

const { Decimal } = Prisma;
type Decimal = Prisma.Decimal;

export type LineKind = 'session' | 'treatment' | 'adjustment';

export interface LineInput {
  kind: LineKind;
  description: string;
  quantity: Decimal;
  unitPrice: Decimal;
  discount: Decimal;
  therapyTypeId?: string | null;
}

export interface TaxRule {
  label: string;
  /** Percent, e.g. 18. */
  ratePercent: Decimal;
  pricesIncludeTax: boolean;
}

export interface PricedLine extends LineInput {
  position: number;
  net: Decimal;
  tax: Decimal;
  total: Decimal;
}

export interface PricedInvoice {
  lines: PricedLine[];
  subtotal: Decimal;
  taxTotal: Decimal;
  total: Decimal;
}

/** To the cent, half away from zero. */
export const cents = (d: Decimal): Decimal => d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);

export function priceLine(line: LineInput, rule: TaxRule): { net: Decimal; tax: Decimal; total: Decimal } {
  const amount = cents(line.quantity.times(line.unitPrice).minus(line.discount));
  if (rule.pricesIncludeTax) {
    const tax = cents(amount.times(rule.ratePercent).dividedBy(rule.ratePercent.plus(100)));
    return { net: amount.minus(tax), tax, total: amount };
  }
  const tax = cents(amount.times(rule.ratePercent).dividedBy(100));
  return { net: amount, tax, total: amount.plus(tax) };
}

export function priceInvoice(lines: LineInput[], rule: TaxRule): PricedInvoice {
  const priced = lines.map((line, i) => ({ ...line, position: i + 1, ...priceLine(line, rule) }));
  const sum = (pick: (l: PricedLine) => Decimal) => cents(priced.reduce((s, l) => s.plus(pick(l)), new Decimal(0)));
  return { lines: priced, subtotal: sum((l) => l.net), taxTotal: sum((l) => l.tax), total: sum((l) => l.total) };
}

/**
 * The lines of a completed session's invoice: the session itself, named after its therapy type (or
 * its kind of visit), at the booked price less its discount.
 *
 * Treatment records (issue 12) add their billable items here, after the session line: one
 * `{ kind: 'treatment', … }` line each, read in the same transaction (see treatmentRecordLines).
 */
export async function invoiceLinesFor(db: RawQuerier, clinicId: string, appointmentId: string): Promise<LineInput[]> {
  const [session] = await db.$queryRaw<Array<{ price: string | null; discount: string; type: string; therapyTypeId: string | null; therapyName: string | null; startsAt: Date; reservationId: string }>>`
    SELECT a.price::text AS price, a.discount::text AS discount, a.type::text AS type, a."therapyTypeId"::text AS "therapyTypeId", t.name AS "therapyName", a."startsAt", a."reservationId"
      FROM "Appointment" a LEFT JOIN "TherapyType" t ON t.id = a."therapyTypeId" AND t."clinicId" = a."clinicId"
     WHERE a.id = ${appointmentId}::uuid AND a."clinicId" = ${clinicId}::uuid`;
  if (!session || session.price === null) return [];
  const visit = session.therapyName ?? `${session.type.charAt(0)}${session.type.slice(1).toLowerCase().replace('_', '-')}`;
  const lines: LineInput[] = [
    {
      kind: 'session',
      description: `${visit} (${session.reservationId})`,
      quantity: new Decimal(1),
      unitPrice: new Decimal(session.price),
      discount: new Decimal(session.discount),
      therapyTypeId: session.therapyTypeId,
    },
  ];
  lines.push(...(await treatmentRecordLines(db, clinicId, appointmentId)));
  return lines;
}

/**
 * The billable items of the session's treatment records. None yet: treatment records arrive with
 * their own branch, which fills this in (quantity, unit price and discount per item, kind 'treatment').
 */
export async function treatmentRecordLines(_db: RawQuerier, _clinicId: string, _appointmentId: string): Promise<LineInput[]> {
  return [];
}
