import { type Channel } from '../../domain/messaging';

export interface RecipientOverride {
  email?: string;
  phone?: string;
  pushToken?: string;
}

export interface PatientContacts {
  email: string | null;
  phone: string | null;
  guardianEmail: string | null;
  guardianPhone: string | null;
  deviceTokens: Array<{ token: string; createdAt: Date }>;
}

/**
 * Where a message goes on a channel: an address given with the message wins; otherwise the
 * patient's own contact, then the guardian's (minors are reached through them); push goes to the
 * most recently registered device.
 */
export function addressFor(channel: Channel, override: RecipientOverride, patient: PatientContacts | null): string | undefined {
  switch (channel) {
    case 'email':
      return (override.email ?? patient?.email ?? patient?.guardianEmail ?? undefined)?.toLowerCase();
    case 'sms':
    case 'whatsapp':
      return normalisePhone(override.phone ?? patient?.phone ?? patient?.guardianPhone ?? undefined);
    case 'push': {
      const newest = [...(patient?.deviceTokens ?? [])].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
      return override.pushToken ?? newest?.token;
    }
  }
}

/** "+44 20 7946 0000" → "+442079460000": providers want E.164, suppressions compare one form. */
export function normalisePhone(phone: string | undefined): string | undefined {
  if (!phone) return undefined;
  const digits = phone.replace(/[^\d+]/g, '');
  return digits.startsWith('+') ? digits : `+${digits}`;
}
