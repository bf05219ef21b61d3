/** How long a session lasts and what it costs: the practitioner's own terms, else the therapy type's. */
import { type TenantDb } from '../../prisma/tenant';
import { ApiError } from '../http/api-error';

type TenantTx = Parameters<Parameters<TenantDb['$transaction']>[0]>[0];
/** The tenant-scoped client or one of its transactions. */
export type TermsDb = Pick<TenantTx, 'therapyType' | 'practitionerPricing'>;

export interface SessionTerms {
  durationMinutes: number;
  /** Decimal as a string with two decimals, e.g. "45.00"; null when no therapy type prices it. */
  price: string | null;
  currency: string | null;
}

/**
 * With a therapy type: the practitioner's pricing for it, else its defaults (an explicit
 * durationMinutes is then ignored: the catalogue decides). Without one: the given duration, unpriced.
 */
export async function sessionTerms(
  db: TermsDb,
  input: { practitionerId: string; therapyTypeId?: string | null; durationMinutes?: number | null },
): Promise<SessionTerms> {
  if (!input.therapyTypeId) {
    if (!input.durationMinutes) {
      throw ApiError.badRequest('VALIDATION_ERROR', 'Name a therapy type or a duration', [{ path: 'durationMinutes', message: 'required without a therapyTypeId' }]);
    }
    return { durationMinutes: input.durationMinutes, price: null, currency: null };
  }
  const type = await db.therapyType.findFirst({ where: { id: input.therapyTypeId, active: true } });
  if (!type) throw ApiError.notFound('Therapy type');
  const own = await db.practitionerPricing.findFirst({ where: { practitionerId: input.practitionerId, therapyTypeId: type.id } });
  return {
    durationMinutes: own?.durationMinutes ?? type.defaultDurationMinutes,
    price: (own?.price ?? type.defaultPrice).toFixed(2),
    currency: type.currency,
  };
}
