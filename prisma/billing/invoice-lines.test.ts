/** Tax per line and on the total, in Decimal: the rounding rule of prisma/billing/invoice-lines.ts. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { documentNumber } from '../../domain/billing';
import { Prisma } from '../generated/client';
import { type LineInput, priceInvoice, priceLine, type TaxRule } from './invoice-lines';

const D = (v: string) => new Prisma.Decimal(v);
const line = (unitPrice: string, discount = '0', quantity = '1'): LineInput => ({ kind: 'session', description: 'x', quantity: D(quantity), unitPrice: D(unitPrice), discount: D(discount) });
const GST_18: TaxRule = { label: 'GST', ratePercent: D('18'), pricesIncludeTax: false };
const fixed = (p: { net: Prisma.Decimal; tax: Prisma.Decimal; total: Prisma.Decimal }) => [p.net.toFixed(2), p.tax.toFixed(2), p.total.toFixed(2)];

describe('invoice tax', () => {
  test('tax added on top is rounded half up per line', () => {
    assert.deepEqual(fixed(priceLine(line('1200.00'), GST_18)), ['1200.00', '216.00', '1416.00']);
    // 0.025 rounds up to 0.03, 0.0234 down to 0.02
    assert.deepEqual(fixed(priceLine(line('0.25', '0', '1'), { ...GST_18, ratePercent: D('10') })), ['0.25', '0.03', '0.28']);
    assert.deepEqual(fixed(priceLine(line('0.13'), GST_18)), ['0.13', '0.02', '0.15']);
    // quantity × price − discount first, then the tax
    assert.deepEqual(fixed(priceLine(line('33.33', '10.00', '3'), GST_18)), ['89.99', '16.20', '106.19']);
  });

  test('tax included in the price is taken out of it, per line', () => {
    const rule = { ...GST_18, pricesIncludeTax: true };
    // 1180 × 18 / 118 = 180 exactly
    assert.deepEqual(fixed(priceLine(line('1180.00'), rule)), ['1000.00', '180.00', '1180.00']);
    // 100 × 18 / 118 = 15.2542… → 15.25
    assert.deepEqual(fixed(priceLine(line('100.00'), rule)), ['84.75', '15.25', '100.00']);
  });

  test('the totals are sums of the rounded lines, which may differ from the tax of the total by a cent per line', () => {
    // Three lines of 0.05 at 10 %: each tax 0.005 → 0.01, so 0.03 in all; 10 % of the 0.15 subtotal would be 0.02.
    const priced = priceInvoice([line('0.05'), line('0.05'), line('0.05')], { ...GST_18, ratePercent: D('10') });
    assert.deepEqual(fixed({ net: priced.subtotal, tax: priced.taxTotal, total: priced.total }), ['0.15', '0.03', '0.18']);
    assert.deepEqual(priced.lines.map((l) => l.position), [1, 2, 3]);
    assert.equal(priced.total.toFixed(2), priced.subtotal.plus(priced.taxTotal).toFixed(2));
  });

  test('no floats: amounts that binary floating point gets wrong stay exact', () => {
    const priced = priceInvoice([line('0.10'), line('0.20')], { label: 'VAT', ratePercent: D('0'), pricesIncludeTax: false });
    assert.equal(priced.total.toFixed(2), '0.30');
    assert.equal(0.1 + 0.2 === 0.3, false);
    const big = priceInvoice([line('99999999.99')], { ...GST_18, ratePercent: D('7.25') });
    assert.deepEqual(fixed({ net: big.subtotal, tax: big.taxTotal, total: big.total }), ['99999999.99', '7250000.00', '107249999.99']);
  });

  test('document numbers: kind, year and a six-digit sequence', () => {
    assert.equal(documentNumber('INVOICE', 2026, 123), 'INV-2026-000123');
    assert.equal(documentNumber('RECEIPT', 2027, 1), 'RCT-2027-000001');
    assert.equal(documentNumber('CREDIT_NOTE', 2026, 1_234_567), 'CN-2026-1234567');
  });
});
