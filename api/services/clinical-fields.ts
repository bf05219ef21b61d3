/**
 * A patient's clinical fields (allergies, medications, medical notes, address) and emergency
 * contact, sealed one by one at rest with the credential cipher's key ring (AES-256-GCM, key id
 * for rotation): the column holds ciphertext bound to the clinic, patient and field, so a value
 * copied into another patient's row does not open. Who may read or write which field is the
 * permission matrix's (patient-clinical:*, patient-emergency-contact:*); values are never logged
 * and the audit trail shows them as [redacted].
 */
import { can } from '../../domain/permissions';
import { type Role } from '../../domain/roles';
import { type Config } from '../../domain/config';
import { CredentialCipher } from '../../prisma/credential-cipher';
import { type Patient } from '../../prisma/generated/client';
import { ApiError } from '../http/api-error';

export const CLINICAL_TEXT_FIELDS = ['allergies', 'medications', 'medicalNotes', 'address'] as const;
type ClinicalTextField = (typeof CLINICAL_TEXT_FIELDS)[number];
export const SEALED_PATIENT_FIELDS = [...CLINICAL_TEXT_FIELDS, 'emergencyContact'] as const;

export interface EmergencyContact {
  name: string;
  relationship: string;
  phone: string;
}

export type ClinicalInput = Partial<Record<ClinicalTextField, string | null>> & { emergencyContact?: EmergencyContact | null };

export interface ClinicalView {
  allergies?: string | null;
  medications?: string | null;
  medicalNotes?: string | null;
  address?: string | null;
  emergencyContact?: EmergencyContact | null;
}

/** Where a sealed field belongs: it opens in this clinic's patient's row, in this column only. */
export const clinicalFieldBinding = (clinicId: string, patientId: string, field: string) => `${clinicId}/patient/${patientId}/${field}`;
const binding = clinicalFieldBinding;

export class ClinicalFields {
  constructor(private readonly cipher: CredentialCipher) {}

  static fromConfig(config: Pick<Config, 'CREDENTIAL_ENCRYPTION_KEYS' | 'CREDENTIAL_ENCRYPTION_KEY_ID'>): ClinicalFields {
    return new ClinicalFields(new CredentialCipher(config.CREDENTIAL_ENCRYPTION_KEYS, config.CREDENTIAL_ENCRYPTION_KEY_ID));
  }

  /** The sealed columns for what the input names (absent fields: untouched; null: cleared). */
  columns(clinicId: string, patientId: string, input: ClinicalInput): Partial<Record<(typeof SEALED_PATIENT_FIELDS)[number], string | null>> {
    const out: Partial<Record<(typeof SEALED_PATIENT_FIELDS)[number], string | null>> = {};
    for (const field of CLINICAL_TEXT_FIELDS) {
      const value = input[field];
      if (value !== undefined) out[field] = value === null ? null : this.cipher.seal(value, binding(clinicId, patientId, field));
    }
    if (input.emergencyContact !== undefined) {
      out.emergencyContact = input.emergencyContact === null ? null : this.cipher.seal(JSON.stringify(input.emergencyContact), binding(clinicId, patientId, 'emergencyContact'));
    }
    return out;
  }

  /** What this role may see of the patient's sealed fields, opened; fields it may not see are left out. */
  view(patient: Patient, role: Role): ClinicalView {
    const open = (field: (typeof SEALED_PATIENT_FIELDS)[number]) => {
      const sealed = patient[field];
      return sealed === null ? null : this.cipher.open(sealed, binding(patient.clinicId, patient.id, field));
    };
    const view: ClinicalView = {};
    if (can(role, 'patient-clinical:read')) for (const field of CLINICAL_TEXT_FIELDS) view[field] = open(field);
    if (can(role, 'patient-emergency-contact:read')) {
      const contact = open('emergencyContact');
      view.emergencyContact = contact === null ? null : (JSON.parse(contact) as EmergencyContact);
    }
    return view;
  }
}

/** Refuses (403) a write of a field the role may not change, naming the field. */
export function assertMayWrite(role: Role, input: ClinicalInput): void {
  const refused = [
    ...(can(role, 'patient-clinical:update') ? [] : CLINICAL_TEXT_FIELDS.filter((f) => input[f] !== undefined)),
    ...(can(role, 'patient-emergency-contact:update') || input.emergencyContact === undefined ? [] : ['emergencyContact']),
  ];
  if (refused.length) {
    throw new ApiError(403, 'FIELD_NOT_ALLOWED', `Your role may not change ${refused.join(', ')}`, refused.map((f) => ({ path: `body.${f}`, message: 'not allowed for your role' })));
  }
}
