/**
 * A clinic's billing settings (clinic settings `billing`) and the numbers its documents carry.
 * Pure: shared by the API and the activities.
 */
import { z } from 'zod';
import { settingsSection } from './clinic-settings';
import { CHANNELS } from './messaging';
import { text } from './text';

export const DOCUMENT_KINDS = ['INVOICE', 'RECEIPT', 'CREDIT_NOTE'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

const PREFIX: Record<DocumentKind, string> = { INVOICE: 'INV', RECEIPT: 'RCT', CREDIT_NOTE: 'CN' };

/** INV-2026-000123: the kind, the clinic's year and the sequence within it (six digits, more when needed). */
export function documentNumber(kind: DocumentKind, year: number, sequence: number): string {
  return `${PREFIX[kind]}-${year}-${String(sequence).padStart(6, '0')}`;
}

export const billingSettingsSchema = z.object({
  /** Printed with the tax, e.g. GST or VAT. */
  taxLabel: text().trim().min(1).max(20).default('Tax'),
  /** Percent with up to two decimals, e.g. "18" or "7.25"; "0" for no tax. */
  taxRatePercent: text()
    .regex(/^\d{1,2}(\.\d{1,2})?$/)
    .default('0'),
  /** true: prices already include the tax, which is taken out of them; false: it is added on top. */
  pricesIncludeTax: z.boolean().default(false),
  /**
   * per-session: each completed, priced session is invoiced when it is completed. monthly: each
   * patient gets one invoice for the month's sessions, on the 1st at 08:00 clinic time (with the
   * owner's monthly report), and prepaid credit pays them then.
   */
  invoicing: z.enum(['per-session', 'monthly']).default('per-session'),
  /** How invoices, receipts and credit notes reach the patient (or their guardian). */
  documentChannels: z.array(z.enum(CHANNELS)).min(1).max(4).default(['email']),
});
export type BillingSettings = z.output<typeof billingSettingsSchema>;

export const billingSettingsOf = (clinicSettings: unknown): BillingSettings => settingsSection(clinicSettings, 'billing', billingSettingsSchema);

/** How long the download link in a document's message works. */
export const DOCUMENT_LINK_TTL_DAYS = 30;
