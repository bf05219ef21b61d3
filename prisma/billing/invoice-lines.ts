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
import { localDate } from '../../domain/dates';
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
  /** The session the line bills; its cost (dues) is the sum of its lines on issued invoices. */
  appointmentId?: string | null;
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

/** What a line bills before tax: quantity × unit price − discount, to the cent. */
const lineAmount = (line: LineInput): Decimal => cents(line.quantity.times(line.unitPrice).minus(line.discount));

/** No lines, or only free ones (a session taken from a package): nothing to invoice. */
export const nothingToBill = (lines: readonly LineInput[]) => lines.every((l) => lineAmount(l).isZero());

export function priceLine(line: LineInput, rule: TaxRule): { net: Decimal; tax: Decimal; total: Decimal } {
  const amount = lineAmount(line);
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
 * The session's treatment records add what was done beyond it, after the session line
 * (treatmentRecordLines), read in the same transaction. `datedIn` (a time zone) starts the session
 * line with its date there, as a month's invoice lists its sessions.
 */
export async function invoiceLinesFor(db: RawQuerier, clinicId: string, appointmentId: string, { datedIn }: { datedIn?: string } = {}): Promise<LineInput[]> {
  const [session] = await db.$queryRaw<Array<{ price: string | null; discount: string; type: string; therapyTypeId: string | null; therapyName: string | null; startsAt: Date; reservationId: string }>>`
    SELECT a.price::text AS price, a.discount::text AS discount, a.type::text AS type, a."therapyTypeId"::text AS "therapyTypeId", t.name AS "therapyName", a."startsAt", a."reservationId"
      FROM "Appointment" a LEFT JOIN "TherapyType" t ON t.id = a."therapyTypeId" AND t."clinicId" = a."clinicId"
     WHERE a.id = ${appointmentId}::uuid AND a."clinicId" = ${clinicId}::uuid`;
  if (!session || session.price === null) return [];
  const visit = session.therapyName ?? `${session.type.charAt(0)}${session.type.slice(1).toLowerCase().replace('_', '-')}`;
  const lines: LineInput[] = [
    {
      kind: 'session',
      description: `${datedIn ? `${localDate(session.startsAt, datedIn)} ` : ''}${visit} (${session.reservationId})`,
      quantity: new Decimal(1),
      unitPrice: new Decimal(session.price),
      discount: new Decimal(session.discount),
      therapyTypeId: session.therapyTypeId,
      appointmentId,
    },
  ];
  lines.push(...(await treatmentRecordLines(db, clinicId, appointmentId)));
  return lines;
}

/** Every line of the given sessions (a month's invoice), each session's lines together, its date in the clinic's zone first. */
export async function linesOfSessions(db: RawQuerier, clinicId: string, appointmentIds: readonly string[], timezone: string): Promise<LineInput[]> {
  const lines: LineInput[] = [];
  for (const id of appointmentIds) lines.push(...(await invoiceLinesFor(db, clinicId, id, { datedIn: timezone })));
  return lines;
}

/**
 * The billable items of the session's treatment records, as saved when the invoice is issued (at
 * completion; a record written later is billed by a correction). One unit of the session's own
 * therapy type is the session line already, so only what was done beyond it is billed. A record's
 * discount is taken off its own lines, first line first, never below zero.
 */
export async function treatmentRecordLines(db: RawQuerier, clinicId: string, appointmentId: string): Promise<LineInput[]> {
  const rows = await db.$queryRaw<Array<{ recordId: string; discount: string; therapyTypeId: string; name: string; quantity: number; unitPrice: string; sessionTypeId: string | null }>>`
    SELECT r.id::text AS "recordId", r.discount::text AS discount, i."therapyTypeId"::text AS "therapyTypeId", t.name,
           i.quantity, i."unitPrice"::text AS "unitPrice", a."therapyTypeId"::text AS "sessionTypeId"
      FROM "TreatmentRecord" r
      JOIN "Appointment" a ON a.id = r."appointmentId" AND a."clinicId" = r."clinicId"
      JOIN "TreatmentRecordItem" i ON i."recordId" = r.id
      JOIN "TherapyType" t ON t.id = i."therapyTypeId" AND t."clinicId" = r."clinicId"
     WHERE r."clinicId" = ${clinicId}::uuid AND r."appointmentId" = ${appointmentId}::uuid
     ORDER BY r."createdAt", r.id, i.id`;
  const lines: LineInput[] = [];
  const discountLeft = new Map<string, Decimal>();
  let sessionUnitTaken = false;
  for (const row of rows) {
    let quantity = new Decimal(row.quantity);
    if (!sessionUnitTaken && row.therapyTypeId === row.sessionTypeId) {
      sessionUnitTaken = true;
      quantity = quantity.minus(1);
    }
    if (quantity.lte(0)) continue;
    const unitPrice = new Decimal(row.unitPrice);
    const left = discountLeft.get(row.recordId) ?? new Decimal(row.discount);
    const discount = Decimal.min(left, quantity.times(unitPrice));
    discountLeft.set(row.recordId, left.minus(discount));
    lines.push({ kind: 'treatment', description: row.name, quantity, unitPrice, discount, therapyTypeId: row.therapyTypeId, appointmentId });
  }
  return lines;
}
