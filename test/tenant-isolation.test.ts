/**
 * Tenant isolation across the whole API: for every tenant-scoped route, another clinic's id
 * answers 404 and never leaks data; lists never show another clinic's rows; writes never land in
 * another clinic. The routes come from the generated OpenAPI document, and the test fails when a
 * route appears there that the tables below do not cover, so a new route cannot escape it.
 */
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addDays, localDate, zonedTimeToUtc } from '../domain/dates';
import { reminderMonth } from '../domain/payment-reminders';
import { can, PERMISSIONS, type Permission, ROLE_REACH } from '../domain/permissions';
import { CLINIC_ROLES, type ClinicRole, PLATFORM_ROLES } from '../domain/roles';
import { SCHEDULE_IDS } from '../domain/temporal';
import { documentForPayment, insertInvoice } from '../prisma/billing/documents';
import { invoiceLinesFor } from '../prisma/billing/invoice-lines';
import { actor, type Actor, bearer, createClinic, startTestApi, type TestApi } from './support/api';
import { createPatient, insertAppointment, ROUND_THE_CLOCK } from './support/scheduling';

let api: TestApi;

// ---------------------------------------------------------------------------------------------
// Fixture: clinics A and B, each with staff, patients, licensing rows and a bookable practitioner.

interface ClinicFixture {
  id: string;
  name: string;
  admin: Actor;
  staff: Actor;
  /** A staff member only the "own resource" checks touch (DELETE deactivates it). */
  spare: { id: string; email: string };
  /**
   * A THERAPIST for the scheduling routes, which need an active practitioner (not the spare, whose
   * DELETE check deactivates it before some of them run), and the practitioner of the appointment
   * and reschedule request below: the one staff member of the practitioner roles who reaches them.
   */
  practitioner: Actor;
  patients: { id: string; firstName: string; lastName: string; email: string; phone: string; barcode: string }[];
  alertId: string;
  alertWorkflowId: string;
  usageId: string;
  changeRequestId: string;
  changeRequestReason: string;
  messageId: string;
  usageStaffCount: number;
  therapyType: { id: string; name: string };
  /** The practitioner's saved working hours and own price for the therapy type. */
  scheduleId: string;
  pricingId: string;
  /** Today (clinic time) for patients[0] with the practitioner, so that checking in by card has something to find. */
  appointment: { id: string; reservationId: string; workflowId: string; idempotencyKey: string; reason: string };
  /** An open request to move that appointment; like it, without its workflow. */
  rescheduleRequest: { id: string; reason: string };
  /** This month's payment-reminder run (as the Schedule would have opened it, without its workflow) and patients[0]'s reminder in it. */
  reminderRun: { id: string; workflowId: string };
  paymentReminderId: string;
  /** The treatment catalogue: a category, and a spare category and therapy type that the DELETE checks archive. */
  category: { id: string; name: string };
  spareCategoryId: string;
  spareTherapyTypeId: string;
  /** A stocked item (scanned by its barcode), a spare one the DELETE check archives, and a reorder request without its workflow. */
  inventoryItem: { id: string; name: string; sku: string; barcode: string };
  spareInventoryItemId: string;
  reorderRequest: { id: string; reason: string };
  /** A draft record of the fixture's appointment, written as the API would have. */
  treatmentRecord: { id: string; notes: string };
  /** patients[0]'s payment on account (with its receipt), a refund of part of it (with its credit note), and the invoice of the appointment. */
  paymentId: string;
  refundId: string;
  creditNoteId: string;
  invoiceId: string;
  /** A plan on sale, and patients[0]'s package of it with a charge due (its workflow marked started, but absent). */
  packagePlan: { id: string; name: string };
  patientPackage: { id: string; workflowId: string; chargeId: string };
  /** A progress report template and, on it, the practitioner's signed report on the appointment above. */
  reportTemplate: { id: string; name: string };
  progressReport: { id: string };
  /** An expense with a receipt file. */
  expenseId: string;
}

/** createClinic's default zone: "today" for checking in by card is read in it. */
const CLINIC_ZONE = 'Europe/London';

let A: ClinicFixture;
let B: ClinicFixture;
let superAdmin: Actor;
let ops: Actor;
const today = new Date(`${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`);

async function setUpClinic(tag: 'alpha' | 'bravo' | 'charlie', tier: string, usageStaffCount: number): Promise<ClinicFixture> {
  const u = randomUUID().slice(0, 8);
  const name = `${tag}-clinic-${u}`;
  const clinic = await createClinic(api, { name, tier });
  const admin = await actor(api, 'CLINIC_ADMIN', clinic.id, `${tag}-admin-${u}@isolation.test`);
  const staff = await actor(api, 'THERAPIST', clinic.id, `${tag}-therapist-${u}@isolation.test`);
  const spare = await api.db.prisma.staffUser.create({
    data: { clinicId: clinic.id, email: `${tag}-spare-${u}@isolation.test`, passwordHash: 'x', firstName: `${tag}SpareFirst`, lastName: `${tag}SpareLast`, role: 'NURSE' },
  });
  const practitioner = await actor(api, 'THERAPIST', clinic.id, `${tag}-practitioner-${u}@isolation.test`);
  const patients = [];
  for (const n of [1, 2]) {
    const p = await api.db.prisma.patient.create({
      data: {
        clinicId: clinic.id,
        firstName: `${tag}PatientFirst${n}`,
        lastName: `${tag}PatientLast${n}`,
        email: `${tag}-patient-${n}-${u}@isolation.test`,
        phone: `+44 20 7946 ${tag === 'alpha' ? '1' : '2'}${n}${u.replace(/\D/g, '0').slice(0, 2)}`,
        barcode: `${tag.toUpperCase()}-${n}-${u}`,
      },
    });
    patients.push({ id: p.id, firstName: p.firstName, lastName: p.lastName, email: p.email!, phone: p.phone!, barcode: p.barcode });
  }
  const alertWorkflowId = `licensing/${clinic.id}/${today.toISOString().slice(0, 10)}`;
  const alert = await api.db.prisma.licenseAlert.create({
    data: { clinicId: clinic.id, metric: 'STAFF', level: 'WARNING', usage: 4, limit: 5, percent: 80, checkDate: today, workflowId: alertWorkflowId },
  });
  const usage = await api.db.prisma.licenseUsage.create({
    data: {
      clinicId: clinic.id,
      date: today,
      tierCode: tier,
      staffCount: usageStaffCount,
      patientCount: usageStaffCount * 10,
      appointmentCount: usageStaffCount * 100,
      maxStaff: 5,
      maxPatients: 250,
      maxAppointmentsPerMonth: 600,
    },
  });
  // An email configuration, so reading, replacing and removing it have something to reach.
  await api.db.prisma.communicationConfig.create({
    data: {
      clinicId: clinic.id,
      channel: 'email',
      providers: [{ id: randomUUID(), label: 'Front desk', provider: 'smtp', settings: { host: `${tag}-smtp.isolation.test`, port: 587, username: `${tag}-desk`, fromAddress: `${tag}-desk@isolation.test` }, secrets: { password: 'v1.k.iv.ct.tag' }, hints: { password: 'wxyz' } }],
    },
  });
  const changeRequestReason = `${tag}-change-reason-${u}`;
  // Not PENDING, so that clinic A may still ask for an upgrade in the write checks below.
  const change = await api.db.prisma.licenseChangeRequest.create({
    data: { clinicId: clinic.id, kind: 'UPGRADE', fromTierCode: tier, toTierCode: 'XL', reason: changeRequestReason, status: 'REJECTED', requestedById: admin.id },
  });
  const message = await api.db.prisma.message.create({
    data: { clinicId: clinic.id, patientId: patients[0]!.id, category: 'manual', channels: ['email'], body: `${tag}-message-body-${u}`, workflowId: `message/${clinic.id}/${u}`, status: 'DELIVERED' },
  });
  const therapyType = await api.db.prisma.therapyType.create({
    data: { clinicId: clinic.id, name: `${tag}-therapy-${u}`, defaultDurationMinutes: 45, defaultPrice: '60.00', currency: 'EUR' },
  });
  // GET working-hours answers 404 for a practitioner without saved hours: this one has some, so A's own call reads them.
  const schedule = await api.db.prisma.practitionerSchedule.create({ data: { clinicId: clinic.id, practitionerId: practitioner.id, weekly: ROUND_THE_CLOCK } });
  const pricing = await api.db.prisma.practitionerPricing.create({
    data: { clinicId: clinic.id, practitionerId: practitioner.id, therapyTypeId: therapyType.id, durationMinutes: 50, price: '75.00' },
  });
  // Inserted as the booking would have left it, marked started but without a workflow: the 404s
  // come before any workflow call, and A's own actions find no workflow (409).
  const appointmentId = randomUUID();
  const day = localDate(new Date(), CLINIC_ZONE);
  const appointment = await api.db.prisma.appointment.create({
    data: {
      id: appointmentId,
      clinicId: clinic.id,
      reservationId: `APT-${u.toUpperCase()}`,
      patientId: patients[0]!.id,
      practitionerId: practitioner.id,
      therapyTypeId: therapyType.id,
      type: 'TREATMENT',
      bookingMode: 'SPECIFIC_TIME',
      startsAt: zonedTimeToUtc(day, '12:00', CLINIC_ZONE),
      endsAt: zonedTimeToUtc(day, '12:50', CLINIC_ZONE),
      reason: `${tag}-appointment-reason-${u}`,
      price: '75.00',
      currency: 'EUR',
      idempotencyKey: `${tag}-booking-key-${u}`,
      workflowId: `appointment/${clinic.id}/${appointmentId}`,
      workflowStartedAt: new Date(),
    },
  });
  const rescheduleReason = `${tag}-reschedule-reason-${u}`;
  const rescheduleRequest = await api.db.prisma.rescheduleRequest.create({
    data: {
      clinicId: clinic.id,
      appointmentId,
      therapistId: practitioner.id,
      requestedStartsAt: zonedTimeToUtc(day, '15:00', CLINIC_ZONE),
      reason: rescheduleReason,
      workflowId: `reschedule/${clinic.id}/${u}`,
    },
  });
  const month = reminderMonth(new Date(), CLINIC_ZONE);
  const run = await api.db.prisma.paymentReminderRun.create({
    data: { clinicId: clinic.id, month, workflowId: `payment-reminders/${clinic.id}/${month}`, trigger: 'SCHEDULE', finishedAt: new Date() },
  });
  const reminder = await api.db.prisma.paymentReminder.create({ data: { clinicId: clinic.id, runId: run.id, patientId: patients[0]!.id, amount: '75.00', currency: 'EUR' } });
  const category = await api.db.prisma.treatmentCategory.create({ data: { clinicId: clinic.id, name: `${tag}-category-${u}` } });
  const spareCategory = await api.db.prisma.treatmentCategory.create({ data: { clinicId: clinic.id, name: `${tag}-spare-category-${u}` } });
  const spareTherapyType = await api.db.prisma.therapyType.create({ data: { clinicId: clinic.id, name: `${tag}-spare-therapy-${u}`, defaultDurationMinutes: 30, defaultPrice: '10.00', currency: 'EUR' } });
  const item = await api.db.prisma.inventoryItem.create({
    data: { clinicId: clinic.id, name: `${tag}-item-${u}`, sku: `${tag}-sku-${u}`, barcode: `${tag}-item-barcode-${u}`, unit: 'piece', currency: 'EUR', quantity: 100, minimumQuantity: 1 },
  });
  const spareItem = await api.db.prisma.inventoryItem.create({ data: { clinicId: clinic.id, name: `${tag}-spare-item-${u}`, sku: `${tag}-spare-sku-${u}`, unit: 'piece', currency: 'EUR' } });
  const reorderReason = `${tag}-reorder-reason-${u}`;
  const reorder = await api.db.prisma.reorderRequest.create({ data: { clinicId: clinic.id, itemId: item.id, quantity: 10, reason: reorderReason, workflowId: `reorder/${clinic.id}/${u}` } });
  const record = await insertTreatmentRecord(clinic.id, { id: appointmentId, patientId: patients[0]!.id, practitionerId: practitioner.id }, therapyType.id, `${tag}-record-notes-${u}`);
  const [payment, refund] = [
    await api.db.prisma.payment.create({ data: { clinicId: clinic.id, patientId: patients[0]!.id, amount: '75.00', currency: 'EUR', method: 'CASH', idempotencyKey: `${tag}-payment-${u}` } }),
    await api.db.prisma.payment.create({ data: { clinicId: clinic.id, patientId: patients[0]!.id, amount: '-10.00', currency: 'EUR', method: 'CASH', refundReason: 'isolation', idempotencyKey: `${tag}-refund-${u}` } }),
  ];
  await documentForPayment(api.db.prisma, clinic.id, payment, null);
  const creditNote = await documentForPayment(api.db.prisma, clinic.id, refund, null);
  const invoice = await insertInvoice(
    api.db.prisma,
    clinic.id,
    { patientId: patients[0]!.id, appointmentId, sourceKey: `appointment:${appointmentId}`, lines: await invoiceLinesFor(api.db.prisma, clinic.id, appointmentId), at: new Date() },
    null,
  );
  const plan = await api.db.prisma.packagePlan.create({ data: { clinicId: clinic.id, name: `${tag}-plan-${u}`, kind: 'PACKAGE', sessions: 10, validityDays: 90, price: '600.00', currency: 'EUR', therapyTypeIds: [therapyType.id] } });
  const patientPackage = await packageOf(clinic.id, patients[0]!.id, plan.id);
  const reportTemplate = await api.db.prisma.progressReportTemplate.create({
    data: { clinicId: clinic.id, name: `${tag}-report-template-${u}`, sections: [{ key: 'assessment', title: 'Assessment', fields: [{ key: 'pain', label: 'Pain', type: 'scale', required: false }] }] },
  });
  const progressReport = await api.db.prisma.progressReport.create({
    data: { clinicId: clinic.id, patientId: patients[0]!.id, appointmentId, practitionerId: practitioner.id, templateId: reportTemplate.id, status: 'SIGNED', signedAt: new Date(), values: { assessment: { pain: 3 } }, reportedAt: appointment.startsAt },
  });
  const expense = await api.http.post('/api/v1/expenses').set(bearer(admin)).send({ category: `${tag}-rent`, amount: '100.00', date: '2026-11-01', paymentMethod: 'CASH' }).expect(201);
  const expenseId = (expense.body as { id: string }).id;
  await api.http.put(`/api/v1/expenses/${expenseId}/receipt`).set(bearer(admin)).set('Content-Type', 'application/pdf').send(Buffer.from('%PDF-1.4 isolation')).expect(200);
  return {
    category: { id: category.id, name: category.name },
    spareCategoryId: spareCategory.id,
    spareTherapyTypeId: spareTherapyType.id,
    inventoryItem: { id: item.id, name: item.name, sku: item.sku, barcode: item.barcode! },
    spareInventoryItemId: spareItem.id,
    reorderRequest: { id: reorder.id, reason: reorderReason },
    treatmentRecord: record,
    paymentId: payment.id,
    refundId: refund.id,
    creditNoteId: creditNote.id,
    invoiceId: invoice.id,
    packagePlan: { id: plan.id, name: plan.name },
    patientPackage,
    reportTemplate: { id: reportTemplate.id, name: reportTemplate.name },
    progressReport: { id: progressReport.id },
    expenseId,
    id: clinic.id,
    name,
    messageId: message.id,
    reminderRun: { id: run.id, workflowId: run.workflowId },
    paymentReminderId: reminder.id,
    rescheduleRequest: { id: rescheduleRequest.id, reason: rescheduleReason },
    admin,
    staff,
    spare: { id: spare.id, email: spare.email },
    practitioner,
    patients,
    alertId: alert.id,
    alertWorkflowId,
    usageId: usage.id,
    changeRequestId: change.id,
    changeRequestReason,
    usageStaffCount,
    therapyType: { id: therapyType.id, name: therapyType.name },
    scheduleId: schedule.id,
    pricingId: pricing.id,
    appointment: {
      id: appointment.id,
      reservationId: appointment.reservationId,
      workflowId: appointment.workflowId,
      idempotencyKey: appointment.idempotencyKey,
      reason: appointment.reason!,
    },
  };
}

/** A draft treatment record of a session, as POST /appointments/{id}/treatment-records writes one (without stock). */
async function insertTreatmentRecord(clinicId: string, appointment: { id: string; patientId: string; practitionerId: string }, therapyTypeId: string, notes: string) {
  const record = await api.db.prisma.treatmentRecord.create({
    data: {
      clinicId,
      appointmentId: appointment.id,
      patientId: appointment.patientId,
      practitionerId: appointment.practitionerId,
      recordedById: appointment.practitionerId,
      durationMinutes: 30,
      cost: '10.00',
      finalAmount: '10.00',
      currency: 'EUR',
      notes,
      items: { create: [{ clinicId, therapyTypeId, unitPrice: '10.00' }] },
    },
  });
  return { id: record.id, notes };
}

/** An active package of the patient, with a charge due, as if sold; its workflow is marked started but does not exist. */
async function packageOf(clinicId: string, patientId: string, planId: string) {
  const id = randomUUID();
  const pkg = await api.db.prisma.patientPackage.create({
    data: {
      id,
      clinicId,
      patientId,
      planId,
      kind: 'PACKAGE',
      name: `package-${id.slice(0, 8)}`,
      therapyTypeIds: [],
      sessionsPerPeriod: 10,
      sessionsRemaining: 10,
      price: '600.00',
      currency: 'EUR',
      status: 'ACTIVE',
      periodStart: new Date(),
      expiresAt: new Date(Date.now() + 90 * 86_400_000),
      idempotencyKey: id,
      workflowId: `package/${clinicId}/${id}`,
      workflowStartedAt: new Date(),
    },
  });
  const charge = await api.db.prisma.packageCharge.create({ data: { clinicId, patientPackageId: id, patientId, kind: 'PURCHASE', period: 1, amount: '600.00', currency: 'EUR' } });
  return { id: pkg.id, workflowId: pkg.workflowId, chargeId: charge.id };
}

/** Every string that identifies clinic B or its people; none may appear in an answer to clinic A. */
function secretsOf(c: ClinicFixture): string[] {
  return [
    c.id,
    c.name,
    c.admin.id,
    c.admin.email,
    c.staff.id,
    c.staff.email,
    c.spare.id,
    c.spare.email,
    c.practitioner.id,
    c.practitioner.email,
    ...c.patients.flatMap((p) => [p.id, p.firstName, p.lastName, p.email, p.phone, p.barcode]),
    c.alertId,
    c.alertWorkflowId,
    c.usageId,
    c.changeRequestId,
    c.messageId,
    c.changeRequestReason,
    c.therapyType.id,
    c.therapyType.name,
    c.scheduleId,
    c.pricingId,
    c.appointment.id,
    c.appointment.reservationId,
    c.appointment.workflowId,
    c.appointment.idempotencyKey,
    c.appointment.reason,
    c.rescheduleRequest.id,
    c.rescheduleRequest.reason,
    c.reminderRun.id,
    c.reminderRun.workflowId,
    c.paymentReminderId,
    c.category.id,
    c.category.name,
    c.spareCategoryId,
    c.spareTherapyTypeId,
    c.inventoryItem.id,
    c.inventoryItem.name,
    c.inventoryItem.sku,
    c.inventoryItem.barcode,
    c.spareInventoryItemId,
    c.reorderRequest.id,
    c.reorderRequest.reason,
    c.treatmentRecord.id,
    c.treatmentRecord.notes,
    c.paymentId,
    c.refundId,
    c.creditNoteId,
    c.invoiceId,
    c.packagePlan.id,
    c.packagePlan.name,
    c.patientPackage.id,
    c.patientPackage.workflowId,
    c.patientPackage.chargeId,
    c.reportTemplate.id,
    c.reportTemplate.name,
    c.progressReport.id,
    'bravo',
  ];
}

function assertNoLeak(body: unknown, what: string): void {
  const text = JSON.stringify(body).toLowerCase();
  for (const secret of secretsOf(B)) assert.equal(text.includes(secret.toLowerCase()), false, `${what} leaks ${secret}: ${JSON.stringify(body)}`);
}

/** All of B's rows, as stored, with B's audit trail: compared before and after every attack. */
async function snapshotB() {
  const p = api.db.prisma;
  const where = { clinicId: B.id };
  return {
    clinic: await p.clinic.findUniqueOrThrow({ where: { id: B.id } }),
    staff: await p.staffUser.findMany({ where, orderBy: { id: 'asc' } }),
    patients: await p.patient.findMany({ where, orderBy: { id: 'asc' } }),
    alerts: await p.licenseAlert.findMany({ where, orderBy: { id: 'asc' } }),
    usage: await p.licenseUsage.findMany({ where, orderBy: { id: 'asc' } }),
    changeRequests: await p.licenseChangeRequest.findMany({ where, orderBy: { id: 'asc' } }),
    // Platform staff reading B's records (describe('platform staff')) rightly leave entries in B's trail.
    audit: await p.auditLog.count({ where: { ...where, OR: [{ actorRole: null }, { actorRole: { notIn: [...PLATFORM_ROLES] } }] } }),
    refreshTokens: await p.refreshToken.findMany({ where, orderBy: { id: 'asc' } }),
    communication: await p.communicationConfig.findMany({ where, orderBy: { id: 'asc' } }),
    messages: await p.message.findMany({ where, orderBy: { id: 'asc' } }),
    deviceTokens: await p.deviceToken.findMany({ where, orderBy: { id: 'asc' } }),
    therapyTypes: await p.therapyType.findMany({ where, orderBy: { id: 'asc' } }),
    schedules: await p.practitionerSchedule.findMany({ where, orderBy: { id: 'asc' } }),
    pricing: await p.practitionerPricing.findMany({ where, orderBy: { id: 'asc' } }),
    appointments: await p.appointment.findMany({ where, orderBy: { id: 'asc' } }),
    rescheduleRequests: await p.rescheduleRequest.findMany({ where, orderBy: { id: 'asc' } }),
    payments: await p.payment.findMany({ where, orderBy: { id: 'asc' } }),
    creditEntries: await p.creditEntry.findMany({ where, orderBy: { id: 'asc' } }),
    paymentReminderRuns: await p.paymentReminderRun.findMany({ where, orderBy: { id: 'asc' } }),
    paymentReminders: await p.paymentReminder.findMany({ where, orderBy: { id: 'asc' } }),
    treatmentCategories: await p.treatmentCategory.findMany({ where, orderBy: { id: 'asc' } }),
    treatmentRecords: await p.treatmentRecord.findMany({ where, orderBy: { id: 'asc' }, include: { items: true, materials: true, versions: true } }),
    inventoryItems: await p.inventoryItem.findMany({ where, orderBy: { id: 'asc' } }),
    inventoryTransactions: await p.inventoryTransaction.findMany({ where, orderBy: { id: 'asc' } }),
    lowStockAlerts: await p.lowStockAlert.findMany({ where, orderBy: { id: 'asc' } }),
    reorderRequests: await p.reorderRequest.findMany({ where, orderBy: { id: 'asc' } }),
    invoices: await p.invoice.findMany({ where, orderBy: { id: 'asc' }, include: { lines: true } }),
    receipts: await p.receipt.findMany({ where, orderBy: { id: 'asc' } }),
    creditNotes: await p.creditNote.findMany({ where, orderBy: { id: 'asc' } }),
    documentCounters: await p.documentCounter.findMany({ where, orderBy: { id: 'asc' } }),
    packagePlans: await p.packagePlan.findMany({ where, orderBy: { id: 'asc' } }),
    patientPackages: await p.patientPackage.findMany({ where, orderBy: { id: 'asc' } }),
    packageCharges: await p.packageCharge.findMany({ where, orderBy: { id: 'asc' } }),
    packageSessionUses: await p.packageSessionUse.findMany({ where, orderBy: { id: 'asc' } }),
    reportTemplates: await p.progressReportTemplate.findMany({ where, orderBy: { id: 'asc' } }),
    progressReports: await p.progressReport.findMany({ where, orderBy: { id: 'asc' } }),
  };
}
let bAtStart: Awaited<ReturnType<typeof snapshotB>>;

// ---------------------------------------------------------------------------------------------
// The OpenAPI document and the tables that must cover it.

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
const METHODS: Method[] = ['get', 'post', 'put', 'patch', 'delete'];

interface Operation {
  security?: Record<string, unknown>[];
  /** The permission the route needs (api/http/route.ts); absent for public routes and any signed-in staff's. */
  'x-permission'?: Permission;
  parameters?: { name: string; in: string }[];
}
interface OpenApiDoc {
  paths: Record<string, Partial<Record<Method, Operation>>>;
}
let doc: OpenApiDoc;

function operations(): { key: string; method: Method; path: string; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ key: `${m.toUpperCase()} ${path}`, method: m, path, op: item[m]! })),
  );
}

const hasPathParams = (path: string) => /\{[^}]+\}/.test(path);

type Resource =
  | 'clinic'
  | 'staff'
  | 'practitioner'
  | 'patient'
  | 'channel'
  | 'message'
  | 'therapyType'
  | 'appointment'
  | 'rescheduleRequest'
  | 'payLink'
  | 'changeRequest'
  | 'category'
  | 'spareCategory'
  | 'spareTherapyType'
  | 'inventoryItem'
  | 'spareInventoryItem'
  | 'reorderRequest'
  | 'treatmentRecord'
  | 'payment'
  | 'invoice'
  | 'creditNote'
  | 'documentLink'
  | 'packagePlan'
  | 'patientPackage'
  | 'packageCharge'
  | 'reportTemplate'
  | 'progressReport'
  | 'expense'
  | 'reportLink';
/** A channel is a name, not an id: every clinic has the same ones, so it stays fixed. */
const CHANNEL = 'email';
const resourceId = (c: ClinicFixture, r: Resource): string => {
  switch (r) {
    case 'clinic':
      return c.id;
    case 'staff':
      return c.spare.id;
    case 'practitioner':
      return c.practitioner.id;
    case 'channel':
      return CHANNEL;
    case 'message':
      return c.messageId;
    case 'therapyType':
      return c.therapyType.id;
    case 'appointment':
      return c.appointment.id;
    case 'rescheduleRequest':
      return c.rescheduleRequest.id;
    // The bare id of the clinic's payment reminder, not a signed token: see GET /api/v1/pay/{token} below.
    case 'payLink':
      return c.paymentReminderId;
    case 'patient':
      return c.patients[0]!.id;
    case 'changeRequest':
      return c.changeRequestId;
    case 'category':
      return c.category.id;
    case 'spareCategory':
      return c.spareCategoryId;
    case 'spareTherapyType':
      return c.spareTherapyTypeId;
    case 'inventoryItem':
      return c.inventoryItem.id;
    case 'spareInventoryItem':
      return c.spareInventoryItemId;
    case 'reorderRequest':
      return c.reorderRequest.id;
    case 'treatmentRecord':
      return c.treatmentRecord.id;
    case 'payment':
      return c.paymentId;
    case 'invoice':
      return c.invoiceId;
    case 'creditNote':
      return c.creditNoteId;
    // The bare id of the clinic's invoice, not a signed token: see GET /api/v1/documents/{token} below.
    case 'documentLink':
      return c.invoiceId;
    case 'packagePlan':
      return c.packagePlan.id;
    case 'patientPackage':
      return c.patientPackage.id;
    case 'packageCharge':
      return c.patientPackage.chargeId;
    case 'reportTemplate':
      return c.reportTemplate.id;
    case 'progressReport':
      return c.progressReport.id;
    case 'expense':
      return c.expenseId;
    // The signed token names its clinic itself; a clinic's bare id is no token (signed links: api/routes/reports.test.ts).
    case 'reportLink':
      return c.id;
  }
};

/**
 * Every route with a path parameter: which resource each parameter names, and a minimal valid
 * body (so that a 404 cannot hide behind a 400). `own` is the status the same call answers with
 * A's own resource: proof the call is right and the 404 comes from the tenant boundary.
 */
const PARAMETERISED: Record<
  string,
  {
    params: Record<string, Resource>;
    body?: object;
    own: number;
    /** Who calls, when A's admin lacks the permission: the practitioner of A's appointment and request. */
    as?: 'practitioner';
    /** The statuses a caller who reaches the record may get, when more than `own` (role × ownership matrix below). */
    inReach?: number[];
    /** Platform staff only: clinic staff get the same 403 for any id, B's included (platform staff scoping: describe('platform staff')). */
    platformOnly?: true;
  }
> = {
  'GET /api/v1/clinics/{clinicId}': { params: { clinicId: 'clinic' }, own: 200 },
  'PATCH /api/v1/clinics/{clinicId}': { params: { clinicId: 'clinic' }, body: { name: 'Renamed through isolation test' }, own: 200 },
  'GET /api/v1/staff/{id}': { params: { id: 'staff' }, own: 200 },
  'PATCH /api/v1/staff/{id}': { params: { id: 'staff' }, body: { firstName: 'Renamed' }, own: 200 },
  'DELETE /api/v1/staff/{id}': { params: { id: 'staff' }, own: 200 },
  'GET /api/v1/patients/{id}': { params: { id: 'patient' }, own: 200 },
  'PATCH /api/v1/patients/{id}': { params: { id: 'patient' }, body: { firstName: 'Renamed' }, own: 200 },
  'GET /api/v1/patients/{id}/messages': { params: { id: 'patient' }, own: 200 },
  'GET /api/v1/patients/{id}/device-tokens': { params: { id: 'patient' }, own: 200 },
  // Registering the same device again (or for another patient) answers 200.
  'POST /api/v1/patients/{id}/device-tokens': { params: { id: 'patient' }, body: { token: 'isolation-device-token-0123456789' }, own: 201, inReach: [200, 201] },
  'GET /api/v1/messages/{id}': { params: { id: 'message' }, own: 200 },
  // The fixture's message was delivered: A's own is found and refused (409 NOT_RETRYABLE) without a workflow start.
  'POST /api/v1/messages/{id}/retry': { params: { id: 'message' }, body: {}, own: 409 },
  'GET /api/v1/clinics/{clinicId}/communication': { params: { clinicId: 'clinic' }, own: 200 },
  'GET /api/v1/clinics/{clinicId}/communication/{channel}': { params: { clinicId: 'clinic', channel: 'channel' }, own: 200 },
  'PUT /api/v1/clinics/{clinicId}/communication/{channel}': {
    params: { clinicId: 'clinic', channel: 'channel' },
    body: { providers: [{ provider: 'smtp', credentials: { host: 'smtp.isolation.test', port: 587, username: 'desk', password: 'isolation-password-123', fromAddress: 'desk@isolation.test' } }] },
    own: 200,
  },
  'DELETE /api/v1/clinics/{clinicId}/communication/{channel}': { params: { clinicId: 'clinic', channel: 'channel' }, own: 204 },
  'GET /api/v1/clinics/{clinicId}/communication/stats': { params: { clinicId: 'clinic' }, own: 200 },
  'GET /api/v1/clinics/{clinicId}/communication/health': { params: { clinicId: 'clinic' }, own: 200 },
  'GET /api/v1/clinics/{clinicId}/communication/alerts': { params: { clinicId: 'clinic' }, own: 200 },
  // An invalid `to` on A's own clinic answers 400 without starting a test; the tenant guard runs first, so B's gets 404.
  'POST /api/v1/clinics/{clinicId}/communication/{channel}/test': { params: { clinicId: 'clinic', channel: 'channel' }, body: { to: 'not-an-email' }, own: 400 },
  // Webhooks authenticate by the vendor's signature, not a token: neither clinic has these providers configured,
  // so both answer 404 alike (signatures themselves are tested in api/routes/webhooks.test.ts).
  'POST /api/v1/webhooks/twilio/{clinicId}': { params: { clinicId: 'clinic' }, body: {}, own: 404 },
  'GET /api/v1/webhooks/meta/{clinicId}': { params: { clinicId: 'clinic' }, own: 404 },
  'POST /api/v1/webhooks/meta/{clinicId}': { params: { clinicId: 'clinic' }, body: {}, own: 404 },
  'POST /api/v1/webhooks/vonage/{clinicId}': { params: { clinicId: 'clinic' }, body: {}, own: 404 },
  'GET /api/v1/webhooks/messagebird/{clinicId}': { params: { clinicId: 'clinic' }, own: 404 },
  'POST /api/v1/webhooks/messagebird/{clinicId}': { params: { clinicId: 'clinic' }, body: {}, own: 404 },
  'GET /api/v1/webhooks/vonage-sms/{clinicId}': { params: { clinicId: 'clinic' }, own: 404 },
  'POST /api/v1/webhooks/vonage-sms/{clinicId}': { params: { clinicId: 'clinic' }, body: {}, own: 404 },
  'GET /api/v1/therapy-types/{id}': { params: { id: 'therapyType' }, own: 200 },
  // The fixture's own values again: A's catalogue stays as it was for the checks after this one.
  'PATCH /api/v1/therapy-types/{id}': { params: { id: 'therapyType' }, body: { defaultDurationMinutes: 45 }, own: 200 },
  'GET /api/v1/practitioners/{staffId}/working-hours': { params: { staffId: 'practitioner' }, own: 200 },
  'PUT /api/v1/practitioners/{staffId}/working-hours': { params: { staffId: 'practitioner' }, body: { weekly: ROUND_THE_CLOCK }, own: 200 },
  'GET /api/v1/practitioners/{staffId}/pricing': { params: { staffId: 'practitioner' }, own: 200 },
  'PUT /api/v1/practitioners/{staffId}/pricing/{therapyTypeId}': { params: { staffId: 'practitioner', therapyTypeId: 'therapyType' }, body: { durationMinutes: 50, price: '75.00' }, own: 200 },
  // The fixture's appointments have no workflow: reading one answers without its state (workflow: null).
  'GET /api/v1/appointments/{id}': { params: { id: 'appointment' }, own: 200 },
  // The actions look the row up before they steer its workflow; A's own, whose workflow does not exist, gets the workflow's answer.
  'POST /api/v1/appointments/{id}/confirm': { params: { id: 'appointment' }, own: 409 },
  'POST /api/v1/appointments/{id}/cancel': { params: { id: 'appointment' }, body: { reason: 'isolation test' }, own: 409 },
  // A start in the past is well-formed, so B's id still gets its 404; A's own is refused 422 IN_THE_PAST before any workflow call.
  'POST /api/v1/appointments/{id}/reschedule': { params: { id: 'appointment' }, body: { startsAt: '2020-01-06T09:00:00Z' }, own: 422 },
  'POST /api/v1/appointments/{id}/check-in': { params: { id: 'appointment' }, own: 409 },
  'POST /api/v1/appointments/{id}/start': { params: { id: 'appointment' }, own: 409 },
  'POST /api/v1/appointments/{id}/complete': { params: { id: 'appointment' }, body: {}, own: 409 },
  'POST /api/v1/appointments/{id}/no-show': { params: { id: 'appointment' }, own: 409 },
  // The fixture's request has no workflow: deciding A's own answers 409, withdrawing is for its therapist only (403).
  'GET /api/v1/reschedule-requests/{id}': { params: { id: 'rescheduleRequest' }, own: 200 },
  'GET /api/v1/patients/{id}/outstanding-dues': { params: { id: 'patient' }, own: 200 },
  'GET /api/v1/patients/{id}/credits': { params: { id: 'patient' }, own: 200 },
  // Without an Idempotency-Key A's own top-up is refused (400) after the patient was found; B's is 404 first.
  'POST /api/v1/patients/{id}/credits': { params: { id: 'patient' }, body: { amount: '1.00' }, own: 400 },
  // A's own patient owes nothing (and no Stripe is configured here): found, then refused.
  'POST /api/v1/patients/{id}/payment-link': { params: { id: 'patient' }, body: {}, own: 503 },
  'PUT /api/v1/reschedule-requests/{id}/approve': { params: { id: 'rescheduleRequest' }, body: {}, own: 409 },
  'PUT /api/v1/reschedule-requests/{id}/reject': { params: { id: 'rescheduleRequest' }, body: { notes: 'isolation test' }, own: 409 },
  // Withdrawing is the asking therapist's: A's practitioner reaches A's request, whose missing workflow answers 409.
  'DELETE /api/v1/reschedule-requests/{id}': { params: { id: 'rescheduleRequest' }, own: 409, as: 'practitioner' },
  'GET /api/v1/clinics/{clinicId}/notification-settings': { params: { clinicId: 'clinic' }, own: 200 },
  // Switched off, so the Schedule this saves for A is paused (and removed after the run).
  'PUT /api/v1/clinics/{clinicId}/notification-settings': { params: { clinicId: 'clinic' }, body: { paymentReminders: { enabled: false } }, own: 200 },
  // The fixture's run is this month's: A's own is refused 409 ALREADY_RUN without starting a workflow.
  'POST /api/v1/clinics/{clinicId}/payment-reminders/run': { params: { clinicId: 'clinic' }, own: 409 },
  'GET /api/v1/clinics/{clinicId}/payment-reminders/runs': { params: { clinicId: 'clinic' }, own: 200 },
  // Public, like the webhooks: the signed token is the credential and names its reminder (and so its clinic) itself.
  // A reminder's bare id is no token, so both clinics' answer 404 alike (signed links: api/routes/payment-reminders.test.ts).
  'GET /api/v1/pay/{token}': { params: { token: 'payLink' }, own: 404 },
  'GET /api/v1/clinics/{clinicId}/billing': { params: { clinicId: 'clinic' }, own: 200 },
  'POST /api/v1/clinics/{clinicId}/billing': { params: { clinicId: 'clinic' }, own: 403, platformOnly: true },
  'POST /api/v1/licensing/change-requests/{id}/approve': { params: { id: 'changeRequest' }, own: 403, platformOnly: true },
  'POST /api/v1/licensing/change-requests/{id}/reject': { params: { id: 'changeRequest' }, own: 403, platformOnly: true },
  // Archiving answers the archived row again when repeated; the spare ones keep the fixture's own usable.
  'DELETE /api/v1/therapy-types/{id}': { params: { id: 'spareTherapyType' }, own: 200 },
  'GET /api/v1/treatment-categories/{id}': { params: { id: 'category' }, own: 200 },
  'PATCH /api/v1/treatment-categories/{id}': { params: { id: 'category' }, body: { description: 'isolation test' }, own: 200 },
  'DELETE /api/v1/treatment-categories/{id}': { params: { id: 'spareCategory' }, own: 200 },
  // The fixture's session is SCHEDULED: A's own is found and refused (409 NOT_IN_SESSION) before any therapy type is looked up.
  'POST /api/v1/appointments/{id}/treatment-records': { params: { id: 'appointment' }, body: { items: [{ therapyTypeId: '019a0000-0000-7000-8000-000000000abc' }] }, own: 409 },
  'GET /api/v1/appointments/{id}/treatment-records': { params: { id: 'appointment' }, own: 200 },
  'GET /api/v1/appointments/{id}/treatment-records/{recordId}': { params: { id: 'appointment', recordId: 'treatmentRecord' }, own: 200 },
  // In this order: the draft changes, then is signed (a second signature and later changes answer 409), then amended.
  'PATCH /api/v1/appointments/{id}/treatment-records/{recordId}': { params: { id: 'appointment', recordId: 'treatmentRecord' }, body: { notes: 'isolation test' }, own: 200, inReach: [200, 409] },
  'POST /api/v1/appointments/{id}/treatment-records/{recordId}/sign': { params: { id: 'appointment', recordId: 'treatmentRecord' }, own: 200, inReach: [200, 409] },
  'POST /api/v1/appointments/{id}/treatment-records/{recordId}/amendments': {
    params: { id: 'appointment', recordId: 'treatmentRecord' },
    body: { reason: 'isolation test', notes: 'amended in the isolation test' },
    own: 201,
    inReach: [201, 409],
  },
  'GET /api/v1/inventory/items/{id}': { params: { id: 'inventoryItem' }, own: 200 },
  'PATCH /api/v1/inventory/items/{id}': { params: { id: 'inventoryItem' }, body: { location: 'Isolation shelf' }, own: 200 },
  'DELETE /api/v1/inventory/items/{id}': { params: { id: 'spareInventoryItem' }, own: 200 },
  'POST /api/v1/inventory/items/{id}/transactions': { params: { id: 'inventoryItem' }, body: { type: 'RECEIVE', quantity: 1 }, own: 201 },
  'GET /api/v1/inventory/items/{id}/transactions': { params: { id: 'inventoryItem' }, own: 200 },
  'GET /api/v1/inventory/reorder-requests/{id}': { params: { id: 'reorderRequest' }, own: 200 },
  // The fixture's request has no workflow: deciding A's own answers 409.
  'POST /api/v1/inventory/reorder-requests/{id}/approve': { params: { id: 'reorderRequest' }, body: {}, own: 409 },
  'POST /api/v1/inventory/reorder-requests/{id}/reject': { params: { id: 'reorderRequest' }, body: {}, own: 409 },
  'GET /api/v1/payments/{id}': { params: { id: 'payment' }, own: 200 },
  'GET /api/v1/payments/{id}/receipt': { params: { id: 'payment' }, own: 200 },
  'GET /api/v1/invoices/{id}': { params: { id: 'invoice' }, own: 200 },
  'GET /api/v1/invoices/{id}/pdf': { params: { id: 'invoice' }, own: 200 },
  // The first correction of an invoice issues a credit note and a new invoice (201); it is credited after that (409).
  'POST /api/v1/invoices/{id}/corrections': { params: { id: 'invoice' }, body: { reason: 'isolation test' }, own: 201, inReach: [201, 409] },
  'GET /api/v1/credit-notes/{id}': { params: { id: 'creditNote' }, own: 200 },
  'GET /api/v1/credit-notes/{id}/pdf': { params: { id: 'creditNote' }, own: 200 },
  // Public: the signed token names its document (and so its clinic). A bare id is no token, so both clinics' answer 404 alike
  // (signed links: api/routes/invoices.test.ts).
  'GET /api/v1/documents/{token}': { params: { token: 'documentLink' }, own: 404 },
  'GET /api/v1/package-plans/{id}': { params: { id: 'packagePlan' }, own: 200 },
  'PATCH /api/v1/package-plans/{id}': { params: { id: 'packagePlan' }, body: { name: 'Renamed through isolation test' }, own: 200 },
  'POST /api/v1/package-plans/{id}/archive': { params: { id: 'packagePlan' }, own: 200 },
  'GET /api/v1/patients/{id}/packages': { params: { id: 'patient' }, own: 200 },
  // Without an Idempotency-Key A's own sale is refused (400) after the patient was found; B's is 404 first.
  'POST /api/v1/patients/{id}/packages': { params: { id: 'patient' }, body: { planId: '00000000-0000-4000-8000-000000000000', method: 'CASH' }, own: 400 },
  'GET /api/v1/patient-packages/{id}': { params: { id: 'patientPackage' }, own: 200 },
  // The fixture's packages have no workflow: A's own gets the workflow's answer.
  'POST /api/v1/patient-packages/{id}/pause': { params: { id: 'patientPackage' }, own: 409 },
  'POST /api/v1/patient-packages/{id}/resume': { params: { id: 'patientPackage' }, own: 409 },
  'POST /api/v1/patient-packages/{id}/cancel-at-period-end': { params: { id: 'patientPackage' }, body: {}, own: 409 },
  // Without an Idempotency-Key A's own payment is refused (400) once the charge was found.
  'POST /api/v1/patient-packages/{id}/charges/{chargeId}/payments': { params: { id: 'patientPackage', chargeId: 'packageCharge' }, body: { method: 'CASH' }, own: 400 },
  // No Stripe is configured here: found, then refused.
  'POST /api/v1/patient-packages/{id}/charges/{chargeId}/payment-link': { params: { id: 'patientPackage', chargeId: 'packageCharge' }, body: {}, own: 503 },
  // Public like GET /pay/{token}: a bare id is no signed token, so both clinics' answer 404 alike.
  'GET /api/v1/pay/package-charges/{token}': { params: { token: 'payLink' }, own: 404 },
  'GET /api/v1/patients/{id}/timeline': { params: { id: 'patient' }, own: 200 },
  'GET /api/v1/progress-report-templates/{id}': { params: { id: 'reportTemplate' }, own: 200 },
  'PATCH /api/v1/progress-report-templates/{id}': { params: { id: 'reportTemplate' }, body: { active: true }, own: 200 },
  // A's template carries a report: refused 409 TEMPLATE_IN_USE, nothing deleted.
  'DELETE /api/v1/progress-report-templates/{id}': { params: { id: 'reportTemplate' }, own: 409 },
  'GET /api/v1/progress-reports/{id}': { params: { id: 'progressReport' }, own: 200 },
  'GET /api/v1/progress-reports/{id}/pdf': { params: { id: 'progressReport' }, own: 200 },
  // Writing and signing are the author's: A's practitioner reaches A's signed report, which answers 409 REPORT_SIGNED.
  'PATCH /api/v1/progress-reports/{id}': { params: { id: 'progressReport' }, body: { values: {} }, own: 409, as: 'practitioner', inReach: [409, 403] },
  'POST /api/v1/progress-reports/{id}/sign': { params: { id: 'progressReport' }, own: 409, as: 'practitioner', inReach: [409, 403] },
  // A's patient has no guardian on file: the report is found and signed, and sharing with a guardian is refused (422 NO_GUARDIAN), nothing sent.
  'POST /api/v1/progress-reports/{id}/share': { params: { id: 'progressReport' }, body: { to: 'guardian' }, own: 422 },
  // Public: the signed token names its report; a bare id is no token, so both clinics' answer 404 alike (signed links: api/routes/progress-reports.test.ts).
  'GET /api/v1/report-downloads/{token}': { params: { token: 'progressReport' }, own: 404 },
  'GET /api/v1/expenses/{id}': { params: { id: 'expense' }, own: 200 },
  'PUT /api/v1/expenses/{id}': { params: { id: 'expense' }, body: { note: 'isolation test' }, own: 200 },
  // A JSON body is no receipt: A's own expense is found, then refused 415; B's is 404 first.
  'PUT /api/v1/expenses/{id}/receipt': { params: { id: 'expense' }, body: { not: 'a file' }, own: 415 },
  'GET /api/v1/expenses/{id}/receipt': { params: { id: 'expense' }, own: 200 },
  'GET /api/v1/report-links/{token}': { params: { token: 'reportLink' }, own: 404 },
  // Last of the expense routes: it removes the fixture's expense (in the role matrix the first role
  // that may delete does, so a later one finds nothing: 404).
  'DELETE /api/v1/expenses/{id}': { params: { id: 'expense' }, own: 204, inReach: [204, 404] },
};

/**
 * Every GET without a path parameter. 'tenant': lists one clinic's data (checked below);
 * 'platform': platform staff only; 'global': the same for every clinic, no tenant data.
 */
const COLLECTIONS: Record<string, 'tenant' | 'platform' | 'global'> = {
  'GET /api/v1/clinics': 'platform',
  'GET /api/v1/staff': 'tenant',
  'GET /api/v1/patients': 'tenant',
  'GET /api/v1/licensing/tiers': 'global',
  'GET /api/v1/licensing/current': 'tenant',
  'GET /api/v1/licensing/usage': 'tenant',
  'GET /api/v1/licensing/alerts': 'tenant',
  'GET /api/v1/licensing/change-requests': 'tenant',
  'GET /api/v1/messages': 'tenant',
  'GET /api/v1/therapy-types': 'tenant',
  'GET /api/v1/appointments': 'tenant',
  'GET /api/v1/appointments/availability': 'tenant',
  'GET /api/v1/appointments/calendar': 'tenant',
  'GET /api/v1/reschedule-requests': 'tenant',
  'GET /api/v1/payments': 'tenant',
  'GET /api/v1/invoices': 'tenant',
  'GET /api/v1/audit-log': 'tenant',
  // The caller's own two-factor status: no clinic's data (api/routes/two-factor.test.ts).
  'GET /api/v1/auth/two-factor': 'global',
  'GET /api/v1/treatment-categories': 'tenant',
  'GET /api/v1/inventory/items': 'tenant',
  'GET /api/v1/inventory/low-stock': 'tenant',
  'GET /api/v1/inventory/reorder-requests': 'tenant',
  'GET /api/v1/package-plans': 'tenant',
  'GET /api/v1/progress-report-templates': 'tenant',
  'GET /api/v1/progress-reports': 'tenant',
  'GET /api/v1/progress-reports/compare': 'tenant',
  'GET /api/v1/me/schedule': 'tenant',
  'GET /api/v1/me/patients': 'tenant',
  'GET /api/v1/me/pending': 'tenant',
  'GET /api/v1/expenses': 'tenant',
  'GET /api/v1/reports/dashboard': 'tenant',
  'GET /api/v1/reports/financial': 'tenant',
  'GET /api/v1/reports/sessions': 'tenant',
  'GET /api/v1/reports/dues-aging': 'tenant',
  'GET /api/v1/reports/patients': 'tenant',
};

/** Every write without a path parameter: 'tenant' ones are checked to act on the caller's clinic only. */
const WRITES: Record<string, 'tenant' | 'not-tenant'> = {
  'POST /api/v1/auth/login': 'not-tenant',
  'POST /api/v1/auth/refresh': 'not-tenant',
  'POST /api/v1/auth/logout': 'not-tenant',
  // Sign-in's code step and the caller's own two-factor settings (api/routes/two-factor.test.ts).
  'POST /api/v1/auth/login/two-factor': 'not-tenant',
  'POST /api/v1/auth/two-factor/enrolment': 'not-tenant',
  'POST /api/v1/auth/two-factor/enrolment/confirm': 'not-tenant',
  'POST /api/v1/auth/two-factor/recovery-codes': 'not-tenant',
  'POST /api/v1/auth/two-factor/disable': 'not-tenant',
  'POST /api/v1/clinics': 'not-tenant',
  'POST /api/v1/codec/sessions': 'not-tenant',
  'POST /api/v1/webhooks/ses': 'not-tenant',
  // Signed by Stripe; the event names its clinic and patient (api/routes/stripe-payments.test.ts).
  'POST /api/v1/webhooks/stripe': 'not-tenant',
  'POST /api/v1/staff': 'tenant',
  'POST /api/v1/patients': 'tenant',
  'POST /api/v1/licensing/check': 'tenant',
  'POST /api/v1/licensing/upgrade': 'tenant',
  'POST /api/v1/licensing/downgrade': 'tenant',
  'POST /api/v1/communication/send': 'tenant',
  'POST /api/v1/therapy-types': 'tenant',
  'POST /api/v1/appointments': 'tenant',
  'POST /api/v1/appointments/check-in-by-barcode': 'tenant',
  'POST /api/v1/reschedule-requests': 'tenant',
  'POST /api/v1/payments': 'tenant',
  'POST /api/v1/treatment-categories': 'tenant',
  'POST /api/v1/inventory/items': 'tenant',
  'POST /api/v1/inventory/scan': 'tenant',
  'POST /api/v1/inventory/reorder-requests': 'tenant',
  'POST /api/v1/package-plans': 'tenant',
  'POST /api/v1/appointments/subscriptions': 'tenant',
  'POST /api/v1/progress-report-templates': 'tenant',
  'POST /api/v1/progress-reports': 'tenant',
  'POST /api/v1/expenses': 'tenant',
};

before(async () => {
  api = await startTestApi();
  A = await setUpClinic('alpha', 'S', 3);
  B = await setUpClinic('bravo', 'M', 11);
  superAdmin = await actor(api, 'SUPER_ADMIN', null);
  ops = await actor(api, 'OPS', null);
  doc = (await api.http.get('/api/v1/openapi.json').expect(200)).body as OpenApiDoc;
  bAtStart = await snapshotB();
});

after(async () => {
  await api.temporal.client.schedule
    .getHandle(SCHEDULE_IDS.paymentReminders(A.id))
    .delete()
    .catch(() => undefined);
  await api.close();
});

// ---------------------------------------------------------------------------------------------

describe('the route tables cover the OpenAPI document', () => {
  test('every parameterised route is in PARAMETERISED, with the same path parameters', () => {
    const documented = operations().filter((o) => hasPathParams(o.path));
    assert.ok(documented.length > 0, 'the document has parameterised routes');
    const missing = documented.filter((o) => !PARAMETERISED[o.key]).map((o) => o.key);
    assert.deepEqual(missing, [], `routes with path parameters that the isolation test does not cover: ${missing.join(', ')}`);
    const stale = Object.keys(PARAMETERISED).filter((k) => !documented.some((o) => o.key === k));
    assert.deepEqual(stale, [], `table entries for routes no longer documented: ${stale.join(', ')}`);
    for (const o of documented) {
      const inPath = [...o.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!).sort();
      assert.deepEqual(Object.keys(PARAMETERISED[o.key]!.params).sort(), inPath, o.key);
      const declared = (o.op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name).sort();
      assert.deepEqual(declared, inPath, `${o.key} declares its path parameters`);
    }
  });

  test('every other GET is in COLLECTIONS and every other write is in WRITES', () => {
    const others = operations().filter((o) => !hasPathParams(o.path));
    const missingGets = others.filter((o) => o.method === 'get' && !(o.key in COLLECTIONS)).map((o) => o.key);
    const missingWrites = others.filter((o) => o.method !== 'get' && !(o.key in WRITES)).map((o) => o.key);
    assert.deepEqual(missingGets, [], `GET routes the isolation test does not classify: ${missingGets.join(', ')}`);
    assert.deepEqual(missingWrites, [], `write routes the isolation test does not classify: ${missingWrites.join(', ')}`);
    const keys = new Set(others.map((o) => o.key));
    const stale = [...Object.keys(COLLECTIONS), ...Object.keys(WRITES)].filter((k) => !keys.has(k));
    assert.deepEqual(stale, [], `table entries for routes no longer documented: ${stale.join(', ')}`);
  });
});

const withQuery = (path: string, query: Record<string, string>) => (Object.keys(query).length > 0 ? `${path}?${new URLSearchParams(query).toString()}` : path);

/** A route template with the named resources of one clinic (or one practitioner's own records) filled in. */
const url = (path: string, params: Record<string, Resource>, c: ClinicFixture) => path.replace(/\{([^}]+)\}/g, (_m, name: string) => resourceId(c, params[name]!));

async function call(method: Method, path: string, who: Actor, body: object | undefined, headers: Record<string, string> = {}) {
  const req = api.http[method](path).set(bearer(who)).set(headers);
  return body ? req.send(body) : req;
}

interface ErrorBody {
  success: false;
  error: { code: string; message: string; path: string; timestamp: string };
}

describe("another clinic's id answers 404 on every parameterised route", () => {
  const callerFor = (c: (typeof PARAMETERISED)[string]) => (c.as === 'practitioner' ? A.practitioner : A.admin);

  /** The 404 must look exactly like the one for an id that exists nowhere: no oracle either. */
  async function assertNotFoundLikeUnknown(method: Method, template: string, c: (typeof PARAMETERISED)[string], headers: Record<string, string>) {
    const path = url(template, c.params, B);
    const res = await call(method, path, callerFor(c), c.body, headers);
    assert.equal(res.status, 404, `${method.toUpperCase()} ${template} with B's id answered ${res.status}: ${JSON.stringify(res.body)}`);
    const body = res.body as ErrorBody;
    assert.equal(body.success, false);
    assert.equal(body.error.code, 'NOT_FOUND');
    // The envelope echoes the path the caller sent (the id they already had); nothing else of B.
    assert.equal(body.error.path, path);
    const { path: _echo, ...rest } = body.error;
    assertNoLeak({ ...body, error: rest }, `${method.toUpperCase()} ${template}`);

    const unknownPath = template.replace(/\{([^}]+)\}/g, (_m, name: string) => (c.params[name] === 'channel' ? CHANNEL : randomUUID()));
    const unknown = await call(method, unknownPath, callerFor(c), c.body, headers);
    assert.equal(unknown.status, 404);
    const u = (unknown.body as ErrorBody).error;
    assert.deepEqual({ code: body.error.code, message: body.error.message }, { code: u.code, message: u.message });
  }

  for (const [key, c] of Object.entries(PARAMETERISED)) {
    const [m, template] = key.split(' ') as [string, string];
    const method = m.toLowerCase() as Method;

    if (c.platformOnly) {
      test(`${key}: clinic staff are refused alike for B's id, their own and an unknown one`, async () => {
        const before = await snapshotB();
        const unknownPath = template.replace(/\{([^}]+)\}/g, () => randomUUID());
        const answers = await Promise.all([url(template, c.params, B), url(template, c.params, A), unknownPath].map((path) => call(method, path, A.admin, c.body)));
        for (const res of answers) {
          assert.equal(res.status, 403);
          assert.equal((res.body as ErrorBody).error.code, 'FORBIDDEN');
        }
        assert.deepEqual(await snapshotB(), before, `${key} changed B's rows`);
      });
      continue;
    }
    test(`${key}: B's id answers 404 NOT_FOUND, leaks nothing and changes nothing; A's own id works`, async () => {
      const before = await snapshotB();
      await assertNotFoundLikeUnknown(method, template, c, {});
      // Naming B in X-Clinic-Id changes nothing for clinic staff.
      await assertNotFoundLikeUnknown(method, template, c, { 'X-Clinic-Id': B.id });
      assert.deepEqual(await snapshotB(), before, `${key} changed B's rows`);

      const own = await call(method, url(template, c.params, A), callerFor(c), c.body);
      assert.equal(own.status, c.own, `${key} on A's own resource answered ${own.status}: ${JSON.stringify(own.body)}`);
      assertNoLeak(own.body, `${key} on A's own resource`);
      assert.deepEqual(await snapshotB(), before, `${key} on A's resource changed B's rows`);
    });
  }

  test('other roles of clinic A get 404 (or 403 where their role forbids the action), never B’s data', async () => {
    for (const [key, c] of Object.entries(PARAMETERISED)) {
      const [m, template] = key.split(' ') as [string, string];
      const res = await call(m.toLowerCase() as Method, url(template, c.params, B), A.staff, c.body);
      assert.ok(res.status === 404 || res.status === 403, `${key} as A's therapist answered ${res.status}`);
      assertNoLeak({ ...(res.body as ErrorBody), error: { ...(res.body as ErrorBody).error, path: '' } }, `${key} as A's therapist`);
    }
  });
});

describe('lists of clinic A never contain B’s rows', () => {
  const asA = (path: string, headers: Record<string, string> = {}) => api.http.get(path).set(bearer(A.admin)).set(headers).expect(200);
  type Page = { data: { id: string; clinicId: string | null }[]; nextCursor: string | null };
  /** Today and tomorrow in the clinics' zone: a range that holds the fixture's appointments and a whole day of the practitioner's hours. */
  const days = () => {
    const from = localDate(new Date(), CLINIC_ZONE);
    return { from, to: addDays(from, 1) };
  };

  type Check = (body: unknown) => Promise<void> | void;
  /** A collection that needs query parameters carries them; a function, as the fixture's ids exist only once `before` has run. */
  type CollectionCheck = Check | { query: () => Record<string, string>; check: Check };

  /** For each tenant collection: what A must see of its own, checked with and without X-Clinic-Id: B. */
  const CHECKS: Record<string, CollectionCheck> = {
    'GET /api/v1/staff': async (body) => {
      const page = body as Page;
      const expected = await api.db.prisma.staffUser.findMany({ where: { clinicId: A.id }, select: { id: true } });
      assert.deepEqual(page.data.map((s) => s.id).sort(), expected.map((s) => s.id).sort());
      assert.ok(page.data.every((s) => s.clinicId === A.id));
    },
    'GET /api/v1/patients': async (body) => {
      const page = body as Page;
      const expected = await api.db.prisma.patient.findMany({ where: { clinicId: A.id }, select: { id: true } });
      assert.deepEqual(page.data.map((p) => p.id).sort(), expected.map((p) => p.id).sort());
      assert.ok(page.data.every((p) => p.clinicId === A.id));
    },
    'GET /api/v1/licensing/current': async (body) => {
      const current = body as { tier: { code: string }; usage: { staff: number; patients: number } };
      assert.equal(current.tier.code, 'S');
      assert.equal(current.usage.staff, await api.db.prisma.staffUser.count({ where: { clinicId: A.id, active: true } }));
      assert.equal(current.usage.patients, await api.db.prisma.patient.count({ where: { clinicId: A.id, active: true } }));
    },
    'GET /api/v1/licensing/usage': (body) => {
      const usage = body as { points: { peak: { staff: number } }[] };
      assert.deepEqual(
        usage.points.map((p) => p.peak.staff),
        [A.usageStaffCount],
      );
    },
    'GET /api/v1/licensing/alerts': (body) => {
      assert.deepEqual(
        (body as { id: string; workflowId: string }[]).map((a) => [a.id, a.workflowId]),
        [[A.alertId, A.alertWorkflowId]],
      );
    },
    'GET /api/v1/licensing/change-requests': async (body) => {
      const expected = await api.db.prisma.licenseChangeRequest.findMany({ where: { clinicId: A.id }, select: { id: true } });
      assert.deepEqual((body as { id: string }[]).map((r) => r.id).sort(), expected.map((r) => r.id).sort());
      assert.ok((body as { id: string }[]).some((r) => r.id === A.changeRequestId));
    },
    'GET /api/v1/messages': async (body) => {
      const expected = await api.db.prisma.message.findMany({ where: { clinicId: A.id }, select: { id: true } });
      const page = body as { data: { id: string }[] };
      assert.deepEqual(page.data.map((m) => m.id).sort(), expected.map((m) => m.id).sort());
      assert.ok(page.data.some((m) => m.id === A.messageId));
    },
    'GET /api/v1/therapy-types': async (body) => {
      // Archived types (the DELETE check's spare) leave the list.
      const expected = await api.db.prisma.therapyType.findMany({ where: { clinicId: A.id, archivedAt: null }, select: { id: true } });
      const page = body as { data: { id: string }[] };
      assert.deepEqual(page.data.map((t) => t.id).sort(), expected.map((t) => t.id).sort());
      assert.ok(page.data.some((t) => t.id === A.therapyType.id));
    },
    'GET /api/v1/appointments': async (body) => {
      const expected = await api.db.prisma.appointment.findMany({ where: { clinicId: A.id }, select: { id: true } });
      const page = body as Page;
      assert.deepEqual(page.data.map((a) => a.id).sort(), expected.map((a) => a.id).sort());
      assert.ok(page.data.every((a) => a.clinicId === A.id));
      assert.ok(page.data.some((a) => a.id === A.appointment.id));
    },
    'GET /api/v1/appointments/availability': {
      query: () => ({ practitionerId: A.practitioner.id, ...days(), durationMinutes: '30' }),
      check: async (body) => {
        const free = body as { practitionerId: string; durationMinutes: number; slots: { startsAt: string; endsAt: string }[] };
        assert.equal(free.practitionerId, A.practitioner.id);
        assert.equal(free.durationMinutes, 30);
        // Round the clock tomorrow, so there are slots whatever the hour; none over A's own booking.
        assert.ok(free.slots.length > 0);
        const own = await api.db.prisma.appointment.findUniqueOrThrow({ where: { id: A.appointment.id } });
        assert.ok(free.slots.every((s) => new Date(s.endsAt) <= own.startsAt || new Date(s.startsAt) >= own.endsAt));
      },
    },
    'GET /api/v1/audit-log': {
      query: () => ({ limit: '100' }),
      check: async (body) => {
        const expected = await api.db.prisma.auditLog.findMany({ where: { clinicId: A.id }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: 100, select: { id: true } });
        const page = body as { data: { id: string; clinicId: string | null }[] };
        assert.ok(expected.length > 0, "A's own reads are in its trail by now");
        assert.deepEqual(
          page.data.map((e) => e.id),
          expected.map((e) => e.id),
        );
        assert.ok(page.data.every((e) => e.clinicId === A.id));
      },
    },
    'GET /api/v1/progress-report-templates': async (body) => {
      const expected = await api.db.prisma.progressReportTemplate.findMany({ where: { clinicId: A.id }, select: { id: true } });
      assert.deepEqual((body as { data: { id: string }[] }).data.map((t) => t.id).sort(), expected.map((t) => t.id).sort());
    },
    'GET /api/v1/progress-reports': async (body) => {
      const expected = await api.db.prisma.progressReport.findMany({ where: { clinicId: A.id }, select: { id: true } });
      assert.deepEqual((body as { data: { id: string }[] }).data.map((r) => r.id).sort(), expected.map((r) => r.id).sort());
    },
    'GET /api/v1/progress-reports/compare': {
      query: () => ({ a: A.progressReport.id, b: A.progressReport.id }),
      check: (body) => {
        assert.deepEqual((body as { scores: { delta: number | null }[] }).scores.map((s) => s.delta), [0]);
      },
    },
    // A's admin treats nobody: their own day is empty, and holds nothing of B's.
    'GET /api/v1/me/schedule': (body) => {
      assert.deepEqual((body as { day: unknown[] }).day, []);
    },
    'GET /api/v1/me/patients': (body) => {
      assert.deepEqual((body as { data: unknown[] }).data, []);
    },
    'GET /api/v1/me/pending': (body) => {
      assert.deepEqual(body, { reportsToSign: [], rescheduleRequests: [], next24Hours: [] });
    },
    'GET /api/v1/payments': async (body) => {
      const expected = await api.db.prisma.payment.findMany({ where: { clinicId: A.id }, select: { id: true } });
      assert.deepEqual((body as { data: { id: string }[] }).data.map((p) => p.id).sort(), expected.map((p) => p.id).sort());
    },
    'GET /api/v1/invoices': {
      query: () => ({ limit: '100' }),
      check: async (body) => {
        const expected = await api.db.prisma.invoice.findMany({ where: { clinicId: A.id }, select: { id: true } });
        const ids = (body as { data: { id: string }[] }).data.map((i) => i.id);
        assert.deepEqual(ids.sort(), expected.map((i) => i.id).sort());
        assert.ok(ids.includes(A.invoiceId));
      },
    },
    'GET /api/v1/package-plans': async (body) => {
      const expected = await api.db.prisma.packagePlan.findMany({ where: { clinicId: A.id, archivedAt: null }, select: { id: true } });
      assert.deepEqual((body as { data: { id: string }[] }).data.map((p) => p.id).sort(), expected.map((p) => p.id).sort());
    },
    'GET /api/v1/expenses': async (body) => {
      const expected = await api.db.prisma.expense.findMany({ where: { clinicId: A.id }, select: { id: true } });
      assert.deepEqual((body as { data: { id: string }[] }).data.map((e) => e.id).sort(), expected.map((e) => e.id).sort());
    },
    // The reports aggregate one clinic's rows: A's figures are those of A's own rows (B's payments and expenses are larger).
    'GET /api/v1/reports/financial': {
      query: () => ({ from: '2026-11-01', to: '2026-11-30' }),
      check: async (body) => {
        const { data } = body as { data: { expensesTotal: string } };
        const own = await api.db.prisma.expense.aggregate({ where: { clinicId: A.id, date: { gte: new Date('2026-11-01'), lte: new Date('2026-11-30') } }, _sum: { amount: true } });
        assert.equal(data.expensesTotal, (own._sum.amount ?? 0).toFixed(2));
      },
    },
    'GET /api/v1/reports/dashboard': (body) => {
      assert.ok((body as { name: string }).name === 'dashboard');
    },
    'GET /api/v1/reports/sessions': async (body) => {
      const { data } = body as { data: { perPractitioner: Array<{ key: string }> } };
      const ownStaff = new Set((await api.db.prisma.staffUser.findMany({ where: { clinicId: A.id }, select: { id: true } })).map((s) => s.id));
      assert.ok(data.perPractitioner.every((p) => ownStaff.has(p.key)));
    },
    'GET /api/v1/reports/dues-aging': async (body) => {
      const { data } = body as { data: { patients: Array<{ patientId: string }> } };
      const own = new Set(A.patients.map((p) => p.id));
      assert.ok(data.patients.every((p) => own.has(p.patientId)));
    },
    'GET /api/v1/reports/patients': (body) => {
      assert.ok(Array.isArray((body as { data: { months: unknown[] } }).data.months));
    },
    'GET /api/v1/reschedule-requests': async (body) => {
      const expected = await api.db.prisma.rescheduleRequest.findMany({ where: { clinicId: A.id }, select: { id: true } });
      const page = body as { data: { id: string }[] };
      assert.deepEqual(page.data.map((r) => r.id).sort(), expected.map((r) => r.id).sort());
      assert.ok(page.data.some((r) => r.id === A.rescheduleRequest.id));
    },
    'GET /api/v1/treatment-categories': async (body) => {
      const expected = await api.db.prisma.treatmentCategory.findMany({ where: { clinicId: A.id, archivedAt: null }, select: { id: true } });
      const page = body as { data: { id: string }[] };
      assert.deepEqual(page.data.map((c) => c.id).sort(), expected.map((c) => c.id).sort());
      assert.ok(page.data.some((c) => c.id === A.category.id));
    },
    'GET /api/v1/inventory/items': async (body) => {
      const expected = await api.db.prisma.inventoryItem.findMany({ where: { clinicId: A.id, archivedAt: null }, select: { id: true } });
      const page = body as { data: { id: string }[] };
      assert.deepEqual(page.data.map((i) => i.id).sort(), expected.map((i) => i.id).sort());
      assert.ok(page.data.some((i) => i.id === A.inventoryItem.id));
    },
    'GET /api/v1/inventory/low-stock': async (body) => {
      const rows = await api.db.prisma.inventoryItem.findMany({ where: { clinicId: A.id, archivedAt: null } });
      const page = body as { data: { id: string }[] };
      assert.deepEqual(page.data.map((i) => i.id).sort(), rows.filter((i) => i.quantity < i.minimumQuantity).map((i) => i.id).sort());
    },
    'GET /api/v1/inventory/reorder-requests': async (body) => {
      const expected = await api.db.prisma.reorderRequest.findMany({ where: { clinicId: A.id }, select: { id: true } });
      const page = body as { data: { id: string }[] };
      assert.deepEqual(page.data.map((r) => r.id).sort(), expected.map((r) => r.id).sort());
      assert.ok(page.data.some((r) => r.id === A.reorderRequest.id));
    },
    'GET /api/v1/appointments/calendar': {
      query: days,
      check: async (body) => {
        const calendar = body as { from: string; to: string; appointments: { id: string; practitionerId: string; patientId: string }[] };
        const expected = await api.db.prisma.appointment.findMany({
          where: { clinicId: A.id, status: { not: 'CANCELLED' }, startsAt: { lt: new Date(calendar.to) }, endsAt: { gt: new Date(calendar.from) } },
          select: { id: true },
        });
        assert.deepEqual(calendar.appointments.map((a) => a.id).sort(), expected.map((a) => a.id).sort());
        assert.ok(calendar.appointments.some((a) => a.id === A.appointment.id));
      },
    },
  };

  test('every tenant collection has a check', () => {
    const tenant = Object.entries(COLLECTIONS)
      .filter(([, kind]) => kind === 'tenant')
      .map(([k]) => k)
      .sort();
    assert.deepEqual(Object.keys(CHECKS).sort(), tenant);
  });

  for (const [key, entry] of Object.entries(CHECKS)) {
    const path = key.split(' ')[1]!;
    const { query, check } = typeof entry === 'function' ? { query: () => ({}), check: entry } : entry;
    test(`${key} shows A’s rows only, also when X-Clinic-Id names B`, async () => {
      for (const headers of [{}, { 'X-Clinic-Id': B.id }] as Record<string, string>[]) {
        const res = await asA(withQuery(path, query()), headers);
        assertNoLeak(res.body, key);
        await check(res.body);
      }
    });
  }

  /** The error a query naming B's row gets must be the one an id that exists nowhere gets: no oracle. */
  async function assertQueryNotFoundLikeUnknown(path: string, withB: Record<string, string>, withUnknown: Record<string, string>) {
    for (const headers of [{}, { 'X-Clinic-Id': B.id }] as Record<string, string>[]) {
      const b = await api.http.get(withQuery(path, withB)).set(bearer(A.admin)).set(headers);
      assert.equal(b.status, 404, `${path} naming B answered ${b.status}: ${JSON.stringify(b.body)}`);
      // The envelope's path leaves out the query string, so nothing of B may appear anywhere in it.
      assertNoLeak(b.body, `${path} naming B`);
      const unknown = await api.http.get(withQuery(path, withUnknown)).set(bearer(A.admin)).set(headers);
      assert.equal(unknown.status, 404);
      const { code, message, details } = (b.body as { error: { code: string; message: string; details?: unknown } }).error;
      const u = (unknown.body as { error: { code: string; message: string; details?: unknown } }).error;
      assert.deepEqual({ code, message, details }, { code: u.code, message: u.message, details: u.details }, path);
    }
  }

  test('availability and the calendar naming B’s practitioner or therapy type answer 404 like an unknown id', async () => {
    const before = await snapshotB();
    const range = days();
    await assertQueryNotFoundLikeUnknown('/api/v1/appointments/availability', { practitionerId: B.practitioner.id, ...range }, { practitionerId: randomUUID(), ...range });
    // A's own practitioner, priced by B's therapy type.
    await assertQueryNotFoundLikeUnknown(
      '/api/v1/appointments/availability',
      { practitionerId: A.practitioner.id, ...range, therapyTypeId: B.therapyType.id },
      { practitionerId: A.practitioner.id, ...range, therapyTypeId: randomUUID() },
    );
    await assertQueryNotFoundLikeUnknown('/api/v1/appointments/calendar', { practitionerId: B.practitioner.id, ...range }, { practitionerId: randomUUID(), ...range });
    assert.deepEqual(await snapshotB(), before);
  });

  test('appointment filters naming B’s practitioner or patient find nothing', async () => {
    for (const q of [`practitionerId=${B.practitioner.id}`, `patientId=${B.patients[0]!.id}`, `status=SCHEDULED&practitionerId=${B.practitioner.id}`]) {
      const res = await asA(`/api/v1/appointments?${q}`);
      assert.deepEqual((res.body as Page).data, [], `appointments with ${q}`);
    }
  });

  test('searches and filters cannot find B’s rows', async () => {
    const bPatient = B.patients[0]!;
    for (const q of [bPatient.firstName, bPatient.lastName, bPatient.email, bPatient.barcode, bPatient.phone]) {
      const res = await asA(`/api/v1/patients?q=${encodeURIComponent(q)}`);
      assert.deepEqual((res.body as Page).data, [], `patient search for ${q}`);
    }
    for (const q of [B.admin.email, B.spare.email, B.practitioner.email, 'bravo']) {
      const res = await asA(`/api/v1/staff?q=${encodeURIComponent(q)}`);
      assert.deepEqual((res.body as Page).data, [], `staff search for ${q}`);
    }
    const admins = await asA('/api/v1/staff?role=CLINIC_ADMIN&limit=100');
    assert.deepEqual(
      (admins.body as Page).data.map((s) => s.id),
      [A.admin.id],
    );
  });

  test('a cursor naming B’s row reveals nothing: same answer as a cursor to a row that does not exist', async () => {
    const cursor = (id: string) => Buffer.from(id).toString('base64url');
    for (const [path, id] of [
      ['/api/v1/patients?sort=lastName&order=asc', B.patients[0]!.id],
      ['/api/v1/patients', B.patients[1]!.id],
      ['/api/v1/staff', B.admin.id],
      ['/api/v1/therapy-types', B.therapyType.id],
      ['/api/v1/appointments', B.appointment.id],
    ] as const) {
      const sep = path.includes('?') ? '&' : '?';
      const withB = await api.http.get(`${path}${sep}cursor=${cursor(id)}`).set(bearer(A.admin));
      const withUnknown = await api.http.get(`${path}${sep}cursor=${cursor(randomUUID())}`).set(bearer(A.admin));
      assert.equal(withB.status, withUnknown.status, path);
      if (withB.status === 200) assert.deepEqual((withB.body as Page).data, (withUnknown.body as Page).data, path);
      assertNoLeak({ ...(withB.body as object), error: undefined }, `${path} with B's cursor`);
    }
  });

  test('platform collections are refused to clinic staff; global ones hold no tenant data', async () => {
    for (const [key, kind] of Object.entries(COLLECTIONS)) {
      const path = key.split(' ')[1]!;
      if (kind === 'platform') {
        const res = await api.http.get(path).set(bearer(A.admin)).expect(403);
        assertNoLeak(res.body, key);
      } else if (kind === 'global') {
        const asAdminA = await asA(path);
        const asAdminB = await api.http.get(path).set(bearer(B.admin)).expect(200);
        assert.deepEqual(asAdminA.body, asAdminB.body, `${key} is the same for every clinic`);
        assertNoLeak(asAdminA.body, key);
      }
    }
  });
});

describe('writes without an id act on the caller’s clinic only', () => {
  test('POST /api/v1/patients with clinicId and X-Clinic-Id of B creates the patient in A', async () => {
    const before = await snapshotB();
    const res = await api.http
      .post('/api/v1/patients')
      .set(bearer(A.admin))
      .set('X-Clinic-Id', B.id)
      .send({ firstName: 'Created', lastName: 'ByA', clinicId: B.id })
      .expect(201);
    const created = await api.db.prisma.patient.findUniqueOrThrow({ where: { id: (res.body as { id: string }).id } });
    assert.equal(created.clinicId, A.id);
    assertNoLeak(res.body, 'POST /api/v1/patients');
    assert.deepEqual(await snapshotB(), before);
  });

  test('POST /api/v1/staff with clinicId and X-Clinic-Id of B creates the staff member in A', async () => {
    const before = await snapshotB();
    const res = await api.http
      .post('/api/v1/staff')
      .set(bearer(A.admin))
      .set('X-Clinic-Id', B.id)
      .send({ email: `created-by-a-${randomUUID().slice(0, 6)}@isolation.test`, password: 'a-long-enough-password', firstName: 'Created', lastName: 'ByA', role: 'RECEPTIONIST', clinicId: B.id })
      .expect(201);
    const created = await api.db.prisma.staffUser.findUniqueOrThrow({ where: { id: (res.body as { id: string }).id } });
    assert.equal(created.clinicId, A.id);
    assertNoLeak(res.body, 'POST /api/v1/staff');
    assert.deepEqual(await snapshotB(), before);
  });

  test('POST /api/v1/licensing/check with X-Clinic-Id of B checks A', async () => {
    const before = await snapshotB();
    const res = await api.http.post('/api/v1/licensing/check').set(bearer(A.admin)).set('X-Clinic-Id', B.id).expect(202);
    const { workflowId } = res.body as { workflowId: string };
    try {
      assert.ok(workflowId.startsWith(`licensing/${A.id}/`), workflowId);
      assertNoLeak(res.body, 'POST /api/v1/licensing/check');
    } finally {
      await api.temporal.client.workflow
        .getHandle(workflowId)
        .terminate('isolation test done')
        .catch(() => undefined);
    }
    assert.deepEqual(await snapshotB(), before);
  });

  test('POST /api/v1/licensing/upgrade and /downgrade with X-Clinic-Id of B change A’s requests only', async () => {
    const before = await snapshotB();
    // A is on S: an upgrade to L is valid for A (B is on M, where it would be valid too).
    const up = await api.http.post('/api/v1/licensing/upgrade').set(bearer(A.admin)).set('X-Clinic-Id', B.id).send({ tier: 'L', reason: 'more staff' }).expect(201);
    const request = await api.db.prisma.licenseChangeRequest.findUniqueOrThrow({ where: { id: (up.body as { id: string }).id } });
    assert.equal(request.clinicId, A.id);
    assert.equal(request.fromTierCode, 'S');
    // A downgrade to S is valid for B (on M) but not for A (already on S): the answer proves A was judged.
    const down = await api.http.post('/api/v1/licensing/downgrade').set(bearer(A.admin)).set('X-Clinic-Id', B.id).send({ tier: 'S' });
    assert.ok(down.status === 422 || down.status === 409, `downgrade answered ${down.status}`);
    assertNoLeak(down.body, 'POST /api/v1/licensing/downgrade');
    assert.deepEqual(await snapshotB(), before);
  });

  test('POST /api/v1/communication/send to B\'s patient answers 404; with X-Clinic-Id of B it sends as A', async () => {
    const before = await snapshotB();
    const toB = await api.http
      .post('/api/v1/communication/send')
      .set(bearer(A.admin))
      .send({ category: 'manual', recipients: [{ patientId: B.patients[0]!.id }], channels: ['email'], body: 'hello' });
    assert.equal(toB.status, 404);
    assertNoLeak({ ...(toB.body as object), error: { code: (toB.body as { error: { code: string } }).error.code } }, 'POST /api/v1/communication/send');
    const res = await api.http
      .post('/api/v1/communication/send')
      .set(bearer(A.admin))
      .set('X-Clinic-Id', B.id)
      .send({ category: 'manual', recipients: [{ patientId: A.patients[0]!.id }], channels: ['email'], body: 'hello' })
      .expect(202);
    const [sent] = (res.body as { messages: { id: string; workflowId: string }[] }).messages;
    try {
      const row = await api.db.prisma.message.findUniqueOrThrow({ where: { id: sent!.id } });
      assert.equal(row.clinicId, A.id);
      assert.ok(sent!.workflowId.startsWith(`message/${A.id}/`));
    } finally {
      await api.temporal.client.workflow.getHandle(sent!.workflowId).terminate('isolation test done').catch(() => undefined);
    }
    assert.deepEqual(await snapshotB(), before);
  });

  test('POST /api/v1/therapy-types with clinicId and X-Clinic-Id of B creates the type in A; a name B uses is free in A', async () => {
    const before = await snapshotB();
    // B's name too: a 409 THERAPY_TYPE_EXISTS here would tell A what B's catalogue holds.
    const res = await api.http
      .post('/api/v1/therapy-types')
      .set(bearer(A.admin))
      .set('X-Clinic-Id', B.id)
      .send({ name: B.therapyType.name, defaultDurationMinutes: 30, defaultPrice: 40, currency: 'EUR', clinicId: B.id })
      .expect(201);
    const created = await api.db.prisma.therapyType.findUniqueOrThrow({ where: { id: (res.body as { id: string }).id } });
    assert.equal(created.clinicId, A.id);
    // The name is A's own input echoed back; nothing else of B may be in the answer.
    assertNoLeak({ ...(res.body as object), name: undefined }, 'POST /api/v1/therapy-types');
    assert.deepEqual(await snapshotB(), before);
  });

  test('POST /api/v1/appointments naming B’s patient, practitioner or therapy type answers 404 like an unknown id; otherwise it books in A', async () => {
    const before = await snapshotB();
    const hour = 3_600_000;
    // A whole hour two days ahead: in the future, inside the practitioner's round-the-clock hours, clear of the fixture's booking.
    const startsAt = new Date(Math.ceil((Date.now() + 48 * hour) / hour) * hour).toISOString();
    const valid = { patientId: A.patients[1]!.id, practitionerId: A.practitioner.id, startsAt, therapyTypeId: A.therapyType.id, type: 'TREATMENT' };
    const book = (body: object, key: string = randomUUID(), headers: Record<string, string> = {}) =>
      api.http.post('/api/v1/appointments').set(bearer(A.admin)).set(headers).set('Idempotency-Key', key).send(body);
    type ErrorBody = { error: { code: string; message: string; details?: unknown } };
    for (const [field, id] of [
      ['patientId', B.patients[0]!.id],
      ['practitionerId', B.practitioner.id],
      ['therapyTypeId', B.therapyType.id],
    ] as const) {
      const withB = await book({ ...valid, [field]: id });
      assert.equal(withB.status, 404, `booking with B's ${field} answered ${withB.status}: ${JSON.stringify(withB.body)}`);
      assertNoLeak(withB.body, `POST /api/v1/appointments with B's ${field}`);
      const withUnknown = await book({ ...valid, [field]: randomUUID() });
      assert.equal(withUnknown.status, 404);
      const { code, message, details } = (withB.body as ErrorBody).error;
      const u = (withUnknown.body as ErrorBody).error;
      assert.deepEqual({ code, message, details }, { code: u.code, message: u.message, details: u.details }, field);
    }
    // B's Idempotency-Key as well: keys are per clinic, so A books anew instead of being answered with B's appointment.
    const res = await book({ ...valid, clinicId: B.id }, B.appointment.idempotencyKey, { 'X-Clinic-Id': B.id });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const booked = res.body as { id: string; workflowId: string };
    try {
      assert.equal(res.headers['idempotent-replayed'], undefined);
      assertNoLeak(res.body, 'POST /api/v1/appointments');
      const row = await api.db.prisma.appointment.findUniqueOrThrow({ where: { id: booked.id } });
      assert.equal(row.clinicId, A.id);
      assert.equal(booked.workflowId, `appointment/${A.id}/${booked.id}`);
    } finally {
      // No worker runs here: the workflow was started on the dev server, and nothing else needs it.
      await api.temporal.client.workflow.getHandle(booked.workflowId).terminate('isolation test done').catch(() => undefined);
    }
    assert.deepEqual(await snapshotB(), before);
  });

  test('POST /api/v1/appointments/check-in-by-barcode with B’s patient’s card answers 404 like an unknown card; A’s card reaches A’s appointment', async () => {
    const before = await snapshotB();
    const checkIn = (barcode: string, headers: Record<string, string> = {}) =>
      api.http.post('/api/v1/appointments/check-in-by-barcode').set(bearer(A.admin)).set(headers).send({ barcode });
    type ErrorBody = { error: { code: string; message: string } };
    // B's patient has an appointment today (the fixture's), so a card looked up outside A would find one.
    for (const headers of [{}, { 'X-Clinic-Id': B.id }] as Record<string, string>[]) {
      const withB = await checkIn(B.patients[0]!.barcode, headers);
      assert.equal(withB.status, 404, `B's card answered ${withB.status}: ${JSON.stringify(withB.body)}`);
      assertNoLeak(withB.body, 'POST /api/v1/appointments/check-in-by-barcode');
      const unknown = await checkIn(`UNKNOWN-${randomUUID().slice(0, 8)}`, headers);
      assert.equal(unknown.status, 404);
      assert.deepEqual(
        { code: (withB.body as ErrorBody).error.code, message: (withB.body as ErrorBody).error.message },
        { code: (unknown.body as ErrorBody).error.code, message: (unknown.body as ErrorBody).error.message },
      );
    }
    // A's card, with X-Clinic-Id naming B: A's appointment today is found and handed to its workflow, which
    // does not exist for the fixture's row; anything but the 404 above proves the look-up stayed in A.
    const own = await checkIn(A.patients[0]!.barcode, { 'X-Clinic-Id': B.id });
    assert.equal(own.status, 409, JSON.stringify(own.body));
    assertNoLeak(own.body, 'POST /api/v1/appointments/check-in-by-barcode with A’s card');
    assert.deepEqual(await snapshotB(), before);
  });

  test('POST /api/v1/reschedule-requests naming B’s appointment answers 404 like an unknown one; A’s own is reached', async () => {
    const before = await snapshotB();
    const ask = (appointmentId: string, headers: Record<string, string> = {}) =>
      api.http.post('/api/v1/reschedule-requests').set(bearer(A.practitioner)).set(headers).send({ appointmentId, requestedStartsAt: new Date(Date.now() + 96 * 3_600_000).toISOString(), reason: 'isolation test' });
    type ErrorBody = { error: { code: string; message: string } };
    for (const headers of [{}, { 'X-Clinic-Id': B.id }] as Record<string, string>[]) {
      const withB = await ask(B.appointment.id, headers);
      assert.equal(withB.status, 404, `B's appointment answered ${withB.status}: ${JSON.stringify(withB.body)}`);
      assertNoLeak(withB.body, 'POST /api/v1/reschedule-requests');
      const unknown = await ask(randomUUID(), headers);
      assert.equal(unknown.status, 404);
      assert.deepEqual((withB.body as ErrorBody).error.message, (unknown.body as ErrorBody).error.message);
    }
    // A's appointment is this practitioner's own, today: found, and too late to move by request.
    const own = await ask(A.appointment.id);
    assert.equal(own.status, 422, JSON.stringify(own.body));
    assert.equal((own.body as ErrorBody).error.code, 'TOO_LATE');
    assert.deepEqual(await snapshotB(), before);
  });

  test('POST /api/v1/payments naming B’s patient answers 404 like an unknown one and records nothing', async () => {
    const before = await snapshotB();
    const pay = (patientId: string, headers: Record<string, string> = {}) =>
      api.http.post('/api/v1/payments').set(bearer(A.admin)).set(headers).set('Idempotency-Key', randomUUID()).send({ patientId, amount: '1.00', method: 'CASH' });
    type ErrorBody = { error: { code: string; message: string } };
    for (const headers of [{}, { 'X-Clinic-Id': B.id }] as Record<string, string>[]) {
      const withB = await pay(B.patients[0]!.id, headers);
      assert.equal(withB.status, 404, `B's patient answered ${withB.status}: ${JSON.stringify(withB.body)}`);
      assertNoLeak(withB.body, 'POST /api/v1/payments');
      const unknown = await pay(randomUUID(), headers);
      assert.equal(unknown.status, 404);
      const { code, message } = (withB.body as ErrorBody).error;
      assert.deepEqual({ code, message }, { code: (unknown.body as ErrorBody).error.code, message: (unknown.body as ErrorBody).error.message });
    }
    // A's own patient owes nothing: found, and refused for that.
    const own = await pay(A.patients[1]!.id);
    assert.equal(own.status, 422, JSON.stringify(own.body));
    assert.deepEqual(await snapshotB(), before);
  });

  test('POST /api/v1/treatment-categories and /inventory/items with clinicId and X-Clinic-Id of B create in A; names and SKUs B uses are free in A', async () => {
    const before = await snapshotB();
    const headers = { 'X-Clinic-Id': B.id };
    const category = await api.http.post('/api/v1/treatment-categories').set(bearer(A.admin)).set(headers).send({ name: B.category.name, clinicId: B.id }).expect(201);
    const item = await api.http.post('/api/v1/inventory/items').set(bearer(A.admin)).set(headers).send({ name: 'Isolation gauze', sku: B.inventoryItem.sku, unit: 'piece', currency: 'EUR', clinicId: B.id }).expect(201);
    for (const [model, id] of [['treatmentCategory', (category.body as { id: string }).id], ['inventoryItem', (item.body as { id: string }).id]] as const) {
      const row = model === 'treatmentCategory' ? await api.db.prisma.treatmentCategory.findUniqueOrThrow({ where: { id } }) : await api.db.prisma.inventoryItem.findUniqueOrThrow({ where: { id } });
      assert.equal(row.clinicId, A.id, model);
    }
    assert.deepEqual(await snapshotB(), before);
  });

  test('POST /api/v1/inventory/scan with B’s barcode and POST /inventory/reorder-requests naming B’s item answer 404 like unknown ones; A’s own are reached', async () => {
    const before = await snapshotB();
    for (const headers of [{}, { 'X-Clinic-Id': B.id }] as Record<string, string>[]) {
      const scan = (barcode: string) => api.http.post('/api/v1/inventory/scan').set(bearer(A.admin)).set(headers).send({ barcode });
      const reorder = (itemId: string) => api.http.post('/api/v1/inventory/reorder-requests').set(bearer(A.admin)).set(headers).send({ itemId, quantity: 1 });
      for (const [withB, unknown, what] of [
        [await scan(B.inventoryItem.barcode), await scan(`UNKNOWN-${randomUUID().slice(0, 8)}`), 'scan'],
        [await reorder(B.inventoryItem.id), await reorder(randomUUID()), 'reorder'],
      ] as const) {
        assert.equal(withB.status, 404, `${what} with B's answered ${withB.status}`);
        assertNoLeak(withB.body, what);
        assert.deepEqual((withB.body as ErrorBody).error.message, (unknown.body as ErrorBody).error.message, what);
      }
    }
    const own = await api.http.post('/api/v1/inventory/scan').set(bearer(A.admin)).send({ barcode: A.inventoryItem.barcode }).expect(200);
    assert.equal((own.body as { id: string }).id, A.inventoryItem.id);
    const asked = await api.http.post('/api/v1/inventory/reorder-requests').set(bearer(A.admin)).send({ itemId: A.inventoryItem.id, quantity: 1 }).expect(201);
    assert.equal((await api.db.prisma.reorderRequest.findUniqueOrThrow({ where: { id: (asked.body as { id: string }).id } })).clinicId, A.id);
    await api.temporal.client.workflow
      .getHandle((asked.body as { workflowId: string }).workflowId)
      .terminate('isolation test')
      .catch(() => undefined);
    assert.deepEqual(await snapshotB(), before);
  });

  test('POST /api/v1/package-plans naming B’s therapy type answers 404 like an unknown one; with X-Clinic-Id of B it creates the plan in A', async () => {
    const before = await snapshotB();
    const plan = (therapyTypeId: string, headers: Record<string, string> = {}) =>
      api.http.post('/api/v1/package-plans').set(bearer(A.admin)).set(headers).send({ name: `Isolation plan ${randomUUID().slice(0, 6)}`, kind: 'SUBSCRIPTION', sessions: 4, price: '100', therapyTypeIds: [therapyTypeId] });
    type ErrorBody = { error: { code: string; message: string } };
    const withB = await plan(B.therapyType.id);
    assert.equal(withB.status, 404, JSON.stringify(withB.body));
    assertNoLeak(withB.body, 'POST /api/v1/package-plans');
    const unknown = await plan(randomUUID());
    assert.deepEqual((withB.body as ErrorBody).error.message, (unknown.body as ErrorBody).error.message);
    const res = await plan(A.therapyType.id, { 'X-Clinic-Id': B.id }).expect(201);
    assert.equal((await api.db.prisma.packagePlan.findUniqueOrThrow({ where: { id: (res.body as { id: string }).id } })).clinicId, A.id);
    assert.deepEqual(await snapshotB(), before);
  });

  test('POST /api/v1/appointments/subscriptions naming B’s patient answers 404 like an unknown one; A’s own patient without a package is refused', async () => {
    const before = await snapshotB();
    const startsAt = new Date(Math.ceil((Date.now() + 72 * 3_600_000) / 3_600_000) * 3_600_000).toISOString();
    const book = (patientId: string, headers: Record<string, string> = {}) =>
      api.http.post('/api/v1/appointments/subscriptions').set(bearer(A.admin)).set(headers).set('Idempotency-Key', randomUUID()).send({ patientId, practitionerId: A.practitioner.id, startsAt, therapyTypeId: A.therapyType.id, type: 'TREATMENT' });
    type ErrorBody = { error: { code: string; message: string } };
    for (const headers of [{}, { 'X-Clinic-Id': B.id }] as Record<string, string>[]) {
      const withB = await book(B.patients[0]!.id, headers);
      assert.equal(withB.status, 404, JSON.stringify(withB.body));
      assertNoLeak(withB.body, 'POST /api/v1/appointments/subscriptions');
      const unknown = await book(randomUUID(), headers);
      assert.deepEqual((withB.body as ErrorBody).error.message, (unknown.body as ErrorBody).error.message);
    }
    // patients[1] has no package: found, then refused.
    const own = await book(A.patients[1]!.id);
    assert.equal(own.status, 422, JSON.stringify(own.body));
    assert.equal((own.body as ErrorBody).error.code, 'NO_PACKAGE_SESSION');
    assert.deepEqual(await snapshotB(), before);
  });

  test('POST /api/v1/progress-report-templates with clinicId and X-Clinic-Id of B creates the template in A; a name B uses is free in A', async () => {
    const before = await snapshotB();
    const sections = [{ key: 's', title: 'S', fields: [{ key: 'f', label: 'F', type: 'text' }] }];
    const res = await api.http.post('/api/v1/progress-report-templates').set(bearer(A.admin)).set('X-Clinic-Id', B.id).send({ name: B.reportTemplate.name, sections, clinicId: B.id });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const created = await api.db.prisma.progressReportTemplate.findUniqueOrThrow({ where: { id: (res.body as { id: string }).id } });
    assert.equal(created.clinicId, A.id);
    assertNoLeak({ ...(res.body as object), name: undefined }, 'POST /api/v1/progress-report-templates');
    // B's therapy type is not A's: refused like an unknown one.
    const withB = await api.http.post('/api/v1/progress-report-templates').set(bearer(A.admin)).send({ name: 'x-b', sections, therapyTypeId: B.therapyType.id });
    const unknown = await api.http.post('/api/v1/progress-report-templates').set(bearer(A.admin)).send({ name: 'x-u', sections, therapyTypeId: randomUUID() });
    assert.deepEqual([withB.status, (withB.body as ErrorBody).error.message], [422, (unknown.body as ErrorBody).error.message]);
    assert.deepEqual(await snapshotB(), before);
  });

  test('POST /api/v1/progress-reports naming B’s patient or template answers like an unknown id; A’s own writes in A', async () => {
    const before = await snapshotB();
    const write = (body: object, headers: Record<string, string> = {}) => api.http.post('/api/v1/progress-reports').set(bearer(A.practitioner)).set(headers).send(body);
    const own = { patientId: A.patients[0]!.id, templateId: A.reportTemplate.id, values: {} };
    for (const headers of [{}, { 'X-Clinic-Id': B.id }] as Record<string, string>[]) {
      for (const [withB, unknown] of [
        [{ ...own, patientId: B.patients[0]!.id }, { ...own, patientId: randomUUID() }],
        [{ ...own, templateId: B.reportTemplate.id }, { ...own, templateId: randomUUID() }],
        [{ ...own, appointmentId: B.appointment.id }, { ...own, appointmentId: randomUUID() }],
      ]) {
        const b = await write(withB!, headers);
        const u = await write(unknown!, headers);
        assert.ok(b.status === 404 || b.status === 422, JSON.stringify(b.body));
        assert.deepEqual([b.status, (b.body as ErrorBody).error.message], [u.status, (u.body as ErrorBody).error.message]);
        assertNoLeak({ ...(b.body as ErrorBody), error: { ...(b.body as ErrorBody).error, path: '' } }, 'POST /api/v1/progress-reports');
      }
    }
    const res = await write({ ...own, clinicId: B.id }).expect(201);
    assert.equal((await api.db.prisma.progressReport.findUniqueOrThrow({ where: { id: (res.body as { id: string }).id } })).clinicId, A.id);
    assert.deepEqual(await snapshotB(), before);
  });

  test('POST /api/v1/expenses lands in the caller’s clinic, also when X-Clinic-Id names B or the body names B', async () => {
    const before = await snapshotB();
    for (const headers of [{}, { 'X-Clinic-Id': B.id }] as Record<string, string>[]) {
      const res = await api.http.post('/api/v1/expenses').set(bearer(A.admin)).set(headers).send({ category: 'isolation', amount: '1.00', date: '2026-11-02', paymentMethod: 'CASH', clinicId: B.id });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const row = await api.db.prisma.expense.findUniqueOrThrow({ where: { id: (res.body as { id: string }).id } });
      assert.equal(row.clinicId, A.id);
    }
    assert.equal(await api.db.prisma.expense.count({ where: { clinicId: B.id, category: 'isolation' } }), 0);
    assert.deepEqual(await snapshotB(), before);
  });

  test('every tenant write route is covered above', () => {
    const covered = [
      'POST /api/v1/progress-report-templates',
      'POST /api/v1/progress-reports',
      'POST /api/v1/expenses',
      'POST /api/v1/patients',
      'POST /api/v1/staff',
      'POST /api/v1/licensing/check',
      'POST /api/v1/licensing/upgrade',
      'POST /api/v1/licensing/downgrade',
      'POST /api/v1/communication/send',
      'POST /api/v1/therapy-types',
      'POST /api/v1/appointments',
      'POST /api/v1/appointments/check-in-by-barcode',
      'POST /api/v1/reschedule-requests',
      'POST /api/v1/payments',
      'POST /api/v1/treatment-categories',
      'POST /api/v1/inventory/items',
      'POST /api/v1/inventory/scan',
      'POST /api/v1/inventory/reorder-requests',
      'POST /api/v1/package-plans',
      'POST /api/v1/appointments/subscriptions',
    ];
    const tenant = Object.entries(WRITES)
      .filter(([, kind]) => kind === 'tenant')
      .map(([k]) => k);
    assert.deepEqual(covered.sort(), tenant.sort());
  });
});

describe('platform staff', () => {
  test('a SUPER_ADMIN naming B with X-Clinic-Id sees B’s data, and only B’s', async () => {
    const headers = { 'X-Clinic-Id': B.id };
    const patients = await api.http.get('/api/v1/patients').set(bearer(superAdmin)).set(headers).expect(200);
    assert.deepEqual(
      (patients.body as { data: { id: string }[] }).data.map((p) => p.id).sort(),
      B.patients.map((p) => p.id).sort(),
    );
    const patient = await api.http.get(`/api/v1/patients/${B.patients[0]!.id}`).set(bearer(superAdmin)).set(headers).expect(200);
    assert.equal((patient.body as { email: string }).email, B.patients[0]!.email);
    // The read is in B's trail, naming the super admin.
    const trail = await api.http.get('/api/v1/audit-log').query({ action: 'patient.read', actorId: superAdmin.id }).set(bearer(superAdmin)).set(headers).expect(200);
    assert.deepEqual(
      (trail.body as { data: { clinicId: string; entityId: string }[] }).data.map((e) => [e.clinicId, e.entityId]),
      [[B.id, B.patients[0]!.id]],
    );
    await api.http.get(`/api/v1/staff/${B.spare.id}`).set(bearer(superAdmin)).set(headers).expect(200);
    const alerts = await api.http.get('/api/v1/licensing/alerts').set(bearer(superAdmin)).set(headers).expect(200);
    assert.deepEqual(
      (alerts.body as { id: string }[]).map((a) => a.id),
      [B.alertId],
    );
    const current = await api.http.get('/api/v1/licensing/current').set(bearer(superAdmin)).set(headers).expect(200);
    assert.equal((current.body as { tier: { code: string } }).tier.code, 'M');
    const usage = await api.http.get('/api/v1/licensing/usage').set(bearer(superAdmin)).set(headers).expect(200);
    assert.deepEqual(
      (usage.body as { points: { peak: { staff: number } }[] }).points.map((p) => p.peak.staff),
      [B.usageStaffCount],
    );
    // Scoped to B, A's rows are out of reach by id as well.
    const aPatient = await api.http.get(`/api/v1/patients/${A.patients[0]!.id}`).set(bearer(superAdmin)).set(headers).expect(404);
    assert.equal((aPatient.body as { error: { code: string } }).error.code, 'NOT_FOUND');
  });

  test("a SUPER_ADMIN acting for A cannot decide B's tier change request: 404, and it stays as it was", async () => {
    for (const decision of ['approve', 'reject']) {
      const res = await api.http.post(`/api/v1/licensing/change-requests/${B.changeRequestId}/${decision}`).set(bearer(superAdmin)).set('X-Clinic-Id', A.id).expect(404);
      assert.equal((res.body as { error: { code: string } }).error.code, 'NOT_FOUND');
    }
    assert.equal((await api.db.prisma.licenseChangeRequest.findUniqueOrThrow({ where: { id: B.changeRequestId } })).status, 'REJECTED');
  });

  test('a SUPER_ADMIN naming an unknown clinic gets 404; naming none or garbage gets 400', async () => {
    const unknown = await api.http.get('/api/v1/patients').set(bearer(superAdmin)).set('X-Clinic-Id', randomUUID()).expect(404);
    assert.equal((unknown.body as { error: { code: string } }).error.code, 'NOT_FOUND');
    const none = await api.http.get('/api/v1/patients').set(bearer(superAdmin)).expect(400);
    assert.equal((none.body as { error: { code: string } }).error.code, 'CLINIC_REQUIRED');
    const garbage = await api.http.get('/api/v1/patients').set(bearer(superAdmin)).set('X-Clinic-Id', 'not-a-uuid').expect(400);
    assert.equal((garbage.body as { error: { code: string } }).error.code, 'VALIDATION_ERROR');
  });

  test('OPS naming B reads what its role allows and nothing more', async () => {
    const staff = await api.http.get('/api/v1/staff').set(bearer(ops)).set('X-Clinic-Id', B.id).expect(200);
    assert.ok((staff.body as { data: { clinicId: string }[] }).data.every((s) => s.clinicId === B.id));
    await api.http.get('/api/v1/patients').set(bearer(ops)).set('X-Clinic-Id', B.id).expect(403);
  });
});

// ---------------------------------------------------------------------------------------------
// Role × ownership inside one clinic: practitioners (DOCTOR, THERAPIST, NURSE) reach the sessions
// where they are the practitioner and the patients they treat (a non-cancelled appointment with
// them, past or future); front desk, managers, accounts and admins reach the whole clinic. A record
// out of reach answers 404 exactly like an id that exists nowhere.

describe('role × ownership: practitioners reach their own sessions and patients, everyone else the whole clinic', () => {
  /** Clinic C: the fixture's records are C.practitioner's, so no role signed in below treats them. */
  let C: ClinicFixture;
  const who = {} as Record<ClinicRole, Actor>;
  /** Each practitioner role's own patient, session, request and message, in the fixture's shape (resourceId reads them). */
  const mine: Partial<Record<ClinicRole, ClinicFixture>> = {};
  const reachesOwnOnly = (role: ClinicRole) => ROLE_REACH[role] === 'own';
  const OWNED: Resource[] = ['patient', 'appointment', 'message', 'rescheduleRequest', 'patientPackage', 'packageCharge', 'progressReport'];
  const day = () => localDate(new Date(), CLINIC_ZONE);

  async function ownRecords(c: ClinicFixture, practitioner: Actor): Promise<ClinicFixture> {
    const p = api.db.prisma;
    const u = randomUUID().slice(0, 8);
    const patient = await p.patient.create({ data: { clinicId: c.id, firstName: `Own${u}`, lastName: 'Patient', email: `own-${u}@isolation.test`, phone: '+44 20 7946 0000', barcode: `OWN-${u}` } });
    // Today, like the fixture's, so that checking in by card finds it.
    const appointment = await insertAppointment(api, {
      clinicId: c.id,
      patientId: patient.id,
      practitionerId: practitioner.id,
      therapyTypeId: c.therapyType.id,
      startsAt: zonedTimeToUtc(day(), '12:00', CLINIC_ZONE).toISOString(),
      endsAt: zonedTimeToUtc(day(), '12:50', CLINIC_ZONE).toISOString(),
      reason: `own-reason-${u}`,
    });
    const request = await p.rescheduleRequest.create({
      data: { clinicId: c.id, appointmentId: appointment.id, therapistId: practitioner.id, requestedStartsAt: zonedTimeToUtc(day(), '16:00', CLINIC_ZONE), reason: `own-request-${u}`, workflowId: `reschedule/${c.id}/${u}` },
    });
    const message = await p.message.create({ data: { clinicId: c.id, patientId: patient.id, category: 'manual', channels: ['email'], body: `own-body-${u}`, workflowId: `message/${c.id}/${u}`, status: 'DELIVERED' } });
    const record = await insertTreatmentRecord(c.id, appointment, c.therapyType.id, `own-record-${u}`);
    const patientPackage = await packageOf(c.id, patient.id, c.packagePlan.id);
    const report = await p.progressReport.create({
      data: { clinicId: c.id, patientId: patient.id, appointmentId: appointment.id, practitionerId: practitioner.id, templateId: c.reportTemplate.id, status: 'SIGNED', signedAt: new Date(), reportedAt: appointment.startsAt },
    });
    return {
      ...c,
      treatmentRecord: record,
      patientPackage,
      progressReport: { id: report.id },
      patients: [{ id: patient.id, firstName: patient.firstName, lastName: patient.lastName, email: patient.email!, phone: patient.phone!, barcode: patient.barcode }],
      appointment: { id: appointment.id, reservationId: appointment.reservationId, workflowId: appointment.workflowId, idempotencyKey: appointment.idempotencyKey, reason: appointment.reason! },
      rescheduleRequest: { id: request.id, reason: request.reason },
      messageId: message.id,
    };
  }

  before(async () => {
    C = await setUpClinic('charlie', 'XL', 2);
    for (const role of CLINIC_ROLES) who[role] = await actor(api, role, C.id);
    for (const role of CLINIC_ROLES.filter(reachesOwnOnly)) mine[role] = await ownRecords(C, who[role]);
  });

  after(async () => {
    await api.temporal.client.schedule
      .getHandle(SCHEDULE_IDS.paymentReminders(C.id))
      .delete()
      .catch(() => undefined);
  });

  const operation = (key: string) => {
    const [m, template] = key.split(' ') as [string, string];
    const op = doc.paths[template]?.[m.toLowerCase() as Method];
    assert.ok(op, `${key} is documented`);
    return { method: m.toLowerCase() as Method, template, op };
  };
  /** The permission a route declares in the OpenAPI document; undefined for any signed-in staff. */
  const mayCall = (role: ClinicRole, op: Operation) => !op['x-permission'] || can(role, op['x-permission']);

  async function expectOutOfReach(method: Method, template: string, params: Record<string, Resource>, caller: Actor, body: object | undefined, res: { status: number; body: unknown }, what: string) {
    assert.equal(res.status, 404, `${what} answered ${res.status}: ${JSON.stringify(res.body)}`);
    const unknownPath = template.replace(/\{([^}]+)\}/g, (_m, name: string) => (params[name] === 'channel' ? CHANNEL : randomUUID()));
    const unknown = await call(method, unknownPath, caller, body);
    const [e, u] = [(res.body as ErrorBody).error, (unknown.body as ErrorBody).error];
    assert.deepEqual({ status: res.status, code: e.code, message: e.message }, { status: unknown.status, code: u.code, message: u.message }, `${what}: unlike an unknown id`);
  }

  test('the documented routes name the permission they need', () => {
    const guarded = operations().filter((o) => (o.op.security ?? []).length > 0);
    const missing = guarded.filter((o) => o.op['x-permission'] === undefined).map((o) => o.key);
    assert.deepEqual(missing, []);
    for (const o of guarded) if (o.op['x-permission']) assert.ok((PERMISSIONS as readonly string[]).includes(o.op['x-permission']), o.key);
  });

  for (const [key, c] of Object.entries(PARAMETERISED)) {
    test(`${key}: each clinic role, on a practitioner's records and on records of its own`, async () => {
      const { method, template, op } = operation(key);
      // Public routes (webhooks, payment links) authenticate by signature or token, not by role.
      if ((op.security ?? []).length === 0) return;
      const owned = Object.values(c.params).some((r) => OWNED.includes(r));
      const inReach = c.inReach ?? [c.own];
      for (const role of CLINIC_ROLES) {
        const caller = who[role];
        // Records of no practitioner in the matrix (C's), then records the role's own practitioner treats (a doctor's, for the whole-clinic roles).
        const sets: Array<[string, ClinicFixture]> = owned ? [["C's practitioner's", C], ['own', mine[role] ?? mine.DOCTOR!]] : [["C's", C]];
        for (const [whose, records] of sets) {
          const what = `${key} as ${role} on ${whose} records`;
          const res = await call(method, url(template, c.params, records), caller, c.body);
          if (!mayCall(role, op)) {
            assert.equal(res.status, 403, `${what} answered ${res.status}`);
            assert.equal((res.body as ErrorBody).error.code, 'FORBIDDEN');
          } else if (owned && reachesOwnOnly(role) && whose !== 'own') {
            await expectOutOfReach(method, template, c.params, caller, c.body, res, what);
          } else {
            assert.ok(inReach.includes(res.status), `${what} answered ${res.status}, expected ${inReach.join(' or ')}: ${JSON.stringify(res.body)}`);
          }
        }
      }
    });
  }

  /** For each tenant collection: the query it needs and the ids a caller must see, from the database and the rule. */
  const REACH: Record<string, (role: ClinicRole) => Promise<{ query?: Record<string, string>; ids?: (body: unknown) => string[]; expected?: string[]; status?: number }>> = {
    'GET /api/v1/patients': async (role) => ({
      ids: (b) => (b as { data: { id: string }[] }).data.map((p) => p.id),
      expected: (
        await api.db.prisma.patient.findMany({
          where: { clinicId: C.id, ...(reachesOwnOnly(role) ? { appointments: { some: { practitionerId: who[role].id, status: { not: 'CANCELLED' } } } } : {}) },
          select: { id: true },
        })
      ).map((p) => p.id),
    }),
    'GET /api/v1/appointments': async (role) => ({
      ids: (b) => (b as { data: { id: string }[] }).data.map((a) => a.id),
      expected: (await api.db.prisma.appointment.findMany({ where: { clinicId: C.id, ...(reachesOwnOnly(role) ? { practitionerId: who[role].id } : {}) }, select: { id: true } })).map((a) => a.id),
    }),
    'GET /api/v1/messages': async (role) => ({
      ids: (b) => (b as { data: { id: string }[] }).data.map((m) => m.id),
      expected: (
        await api.db.prisma.message.findMany({
          where: { clinicId: C.id, ...(reachesOwnOnly(role) ? { patient: { appointments: { some: { practitionerId: who[role].id, status: { not: 'CANCELLED' } } } } } : {}) },
          select: { id: true },
        })
      ).map((m) => m.id),
    }),
    'GET /api/v1/reschedule-requests': async (role) => ({
      ids: (b) => (b as { data: { id: string }[] }).data.map((r) => r.id),
      expected: (await api.db.prisma.rescheduleRequest.findMany({ where: { clinicId: C.id, ...(reachesOwnOnly(role) ? { appointment: { practitionerId: who[role].id } } : {}) }, select: { id: true } })).map((r) => r.id),
    }),
    'GET /api/v1/payments': async () => ({
      ids: (b) => (b as { data: { id: string }[] }).data.map((p) => p.id),
      expected: (await api.db.prisma.payment.findMany({ where: { clinicId: C.id }, select: { id: true } })).map((p) => p.id),
    }),
    // Billing reaches the whole clinic; no practitioner role reads invoices (payment:read).
    'GET /api/v1/invoices': async () => ({
      ids: (b) => (b as { data: { id: string }[] }).data.map((i) => i.id),
      expected: (await api.db.prisma.invoice.findMany({ where: { clinicId: C.id }, select: { id: true } })).map((i) => i.id),
    }),
    'GET /api/v1/appointments/calendar': async (role) => ({
      query: { from: day(), to: addDays(day(), 1) },
      ids: (b) => (b as { appointments: { id: string }[] }).appointments.map((a) => a.id),
      expected: (
        await api.db.prisma.appointment.findMany({
          where: { clinicId: C.id, status: { not: 'CANCELLED' }, startsAt: { gte: zonedTimeToUtc(day(), '00:00', CLINIC_ZONE) }, ...(reachesOwnOnly(role) ? { practitionerId: who[role].id } : {}) },
          select: { id: true },
        })
      ).map((a) => a.id),
    }),
    'GET /api/v1/progress-reports': async (role) => ({
      ids: (b) => (b as { data: { id: string }[] }).data.map((r) => r.id),
      expected: (
        await api.db.prisma.progressReport.findMany({
          where: { clinicId: C.id, ...(reachesOwnOnly(role) ? { patient: { appointments: { some: { practitionerId: who[role].id, status: { not: 'CANCELLED' } } } } } : {}) },
          select: { id: true },
        })
      ).map((r) => r.id),
    }),
    // A colleague's patient's reports are out of reach, like unknown ones.
    'GET /api/v1/progress-reports/compare': async (role) => ({ query: { a: C.progressReport.id, b: C.progressReport.id }, status: reachesOwnOnly(role) ? 404 : 200 }),
    'GET /api/v1/me/patients': async (role) => ({
      ids: (b) => (b as { data: { id: string }[] }).data.map((p) => p.id),
      expected: (await api.db.prisma.patient.findMany({ where: { clinicId: C.id, appointments: { some: { practitionerId: who[role].id, status: { not: 'CANCELLED' } } } }, select: { id: true } })).map((p) => p.id),
    }),
    // A colleague's free slots would show when their patients come: out of reach, like an unknown practitioner.
    'GET /api/v1/appointments/availability': async (role) => ({ query: { practitionerId: C.practitioner.id, from: day(), to: addDays(day(), 1) }, status: reachesOwnOnly(role) ? 404 : 200 }),
  };

  test('every tenant collection: practitioners list their own rows only, everyone else the whole clinic', async () => {
    const tenant = Object.entries(COLLECTIONS).filter(([, kind]) => kind === 'tenant');
    for (const [key] of tenant) {
      const { template, op } = operation(key);
      for (const role of CLINIC_ROLES) {
        const check = REACH[key] ? await REACH[key](role) : {};
        const res = await api.http.get(withQuery(template, { limit: '100', ...(check.query ?? {}) })).set(bearer(who[role]));
        const what = `${key} as ${role}`;
        if (!mayCall(role, op)) {
          assert.equal(res.status, 403, `${what} answered ${res.status}`);
          continue;
        }
        // Collections of no patient's records (staff, licensing, therapy types, the audit trail) are the same for every role that may read them.
        assert.equal(res.status, check.status ?? 200, `${what} answered ${res.status}: ${JSON.stringify(res.body)}`);
        if (check.ids && check.expected) assert.deepEqual(check.ids(res.body).sort(), [...check.expected].sort(), what);
      }
    }
    const covered = new Set(Object.keys(REACH));
    for (const role of CLINIC_ROLES.filter(reachesOwnOnly)) {
      // Their own free slots and calendar stay theirs to read.
      const own = await api.http.get(withQuery('/api/v1/appointments/availability', { practitionerId: who[role].id, from: day(), to: addDays(day(), 1) })).set(bearer(who[role]));
      assert.equal(own.status, 200, `${role}'s own availability: ${JSON.stringify(own.body)}`);
      await api.http.get(withQuery('/api/v1/appointments/calendar', { practitionerId: who[role].id, from: day(), to: addDays(day(), 1) })).set(bearer(who[role])).expect(200);
      const colleague = await api.http.get(withQuery('/api/v1/appointments/calendar', { practitionerId: C.practitioner.id, from: day(), to: addDays(day(), 1) })).set(bearer(who[role]));
      const unknown = await api.http.get(withQuery('/api/v1/appointments/calendar', { practitionerId: randomUUID(), from: day(), to: addDays(day(), 1) })).set(bearer(who[role]));
      assert.deepEqual([colleague.status, (colleague.body as ErrorBody).error.message], [404, (unknown.body as ErrorBody).error.message], `${role} on a colleague's calendar`);
    }
    // Every tenant collection that lists a patient's records is checked row by row above.
    for (const key of [
      'GET /api/v1/patients',
      'GET /api/v1/appointments',
      'GET /api/v1/messages',
      'GET /api/v1/reschedule-requests',
      'GET /api/v1/appointments/calendar',
      'GET /api/v1/payments',
      'GET /api/v1/invoices',
      'GET /api/v1/progress-reports',
      'GET /api/v1/me/patients',
    ])
      assert.ok(covered.has(key), key);
  });

  test('writes without an id that name a patient or a session: out of reach answers 404; other tenant writes are not for practitioners', async () => {
    const tooLateToMove = new Date(Date.now() + 96 * 3_600_000).toISOString();
    const BY_RECORD: Record<string, (records: ClinicFixture) => object> = {
      'POST /api/v1/appointments/check-in-by-barcode': (r) => ({ barcode: r.patients[0]!.barcode }),
      'POST /api/v1/reschedule-requests': (r) => ({ appointmentId: r.appointment.id, requestedStartsAt: tooLateToMove, reason: 'isolation test' }),
      'POST /api/v1/progress-reports': (r) => ({ patientId: r.patients[0]!.id, templateId: r.reportTemplate.id, values: {} }),
    };
    // In reach: the session has no workflow (409), or is today and so too late to move by request (422).
    const IN_REACH: Record<string, number> = { 'POST /api/v1/appointments/check-in-by-barcode': 409, 'POST /api/v1/reschedule-requests': 422, 'POST /api/v1/inventory/scan': 200, 'POST /api/v1/progress-reports': 201 };
    // Stock is the clinic's, not a practitioner's: every role that may scan finds every item.
    BY_RECORD['POST /api/v1/inventory/scan'] = (r) => ({ barcode: r.inventoryItem.barcode });
    const CLINIC_WIDE = new Set(['POST /api/v1/inventory/scan']);
    for (const [key, body] of Object.entries(BY_RECORD)) {
      const { method, template, op } = operation(key);
      for (const role of CLINIC_ROLES) {
        for (const [whose, records] of [["C's practitioner's", C], ['own', mine[role] ?? mine.DOCTOR!]] as const) {
          const res = await call(method, template, who[role], body(records));
          const what = `${key} as ${role} on ${whose} records`;
          if (!mayCall(role, op)) assert.equal(res.status, 403, what);
          else if (reachesOwnOnly(role) && whose !== 'own' && !CLINIC_WIDE.has(key)) assert.equal(res.status, 404, `${what} answered ${res.status}: ${JSON.stringify(res.body)}`);
          // Platform staff may ask for any session (SUPER_ADMIN); clinic roles other than practitioners may not ask at all.
          else assert.equal(res.status, IN_REACH[key], `${what} answered ${res.status}: ${JSON.stringify(res.body)}`);
        }
      }
    }
    for (const [key, kind] of Object.entries(WRITES)) {
      if (kind !== 'tenant' || BY_RECORD[key]) continue;
      const { op } = operation(key);
      for (const role of CLINIC_ROLES.filter(reachesOwnOnly)) assert.equal(mayCall(role, op), false, `${role} may call ${key}: add it to BY_RECORD`);
    }
  });

  test('the rule: a cancelled booking gives no reach, a past session does, a patient seen by two practitioners is reached by both', async () => {
    const doctor = who.DOCTOR;
    const nurse = who.NURSE;
    const cancelledOnly = await createPatient(api, C.id);
    const cancelled = await insertAppointment(api, { clinicId: C.id, patientId: cancelledOnly.id, practitionerId: doctor.id, startsAt: '2026-02-02T10:00:00Z', endsAt: '2026-02-02T10:50:00Z', status: 'CANCELLED' });
    const pastPatient = await createPatient(api, C.id);
    await insertAppointment(api, { clinicId: C.id, patientId: pastPatient.id, practitionerId: doctor.id, startsAt: '2026-02-03T10:00:00Z', endsAt: '2026-02-03T10:50:00Z', status: 'COMPLETED' });
    await insertAppointment(api, { clinicId: C.id, patientId: pastPatient.id, practitionerId: nurse.id, startsAt: '2026-02-04T10:00:00Z', endsAt: '2026-02-04T10:50:00Z', status: 'NO_SHOW' });
    const get = (path: string, as: Actor) => api.http.get(path).set(bearer(as));

    expectOutOfReachStatus(await get(`/api/v1/patients/${cancelledOnly.id}`, doctor), 'a patient whose only booking with the doctor was cancelled');
    // The cancelled session itself stays the doctor's own.
    await get(`/api/v1/appointments/${cancelled.id}`, doctor).expect(200);
    for (const as of [doctor, nurse]) await get(`/api/v1/patients/${pastPatient.id}`, as).expect(200);
    await get(`/api/v1/patients/${pastPatient.id}`, who.THERAPIST).expect(404);
    // Reaching the patient is not reaching a colleague's session with them.
    const nursesSession = await api.db.prisma.appointment.findFirstOrThrow({ where: { patientId: pastPatient.id, practitionerId: nurse.id } });
    await get(`/api/v1/appointments/${nursesSession.id}`, doctor).expect(404);
    const listed = (await get(`/api/v1/appointments?patientId=${pastPatient.id}`, doctor).expect(200)).body as { data: { practitionerId: string }[] };
    assert.deepEqual(listed.data.map((a) => a.practitionerId), [doctor.id]);
    // Front desk reaches them all.
    for (const id of [cancelledOnly.id, pastPatient.id]) await get(`/api/v1/patients/${id}`, who.RECEPTIONIST).expect(200);
  });

  function expectOutOfReachStatus(res: { status: number; body: unknown }, what: string) {
    assert.equal(res.status, 404, `${what}: ${JSON.stringify(res.body)}`);
    assert.equal((res.body as ErrorBody).error.code, 'NOT_FOUND');
  }
});

test('after everything above, B’s rows are exactly as they were', async () => {
  assert.deepEqual(await snapshotB(), bAtStart);
});
