/** The appointment activities against PostgreSQL: what completing a visit does to the patient's account. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/support/database';
import { insertAppointment } from '../../test/support/scheduling';
import { creditBalance, outstandingDues } from '../../prisma/patient-accounts';
import { createAppointmentActivities } from './appointment-activities';

let db: TestDatabase;
let clinicId: string;
let practitionerId: string;
let acts: ReturnType<typeof createAppointmentActivities>;

before(async () => {
  db = await createTestDatabase();
  acts = createAppointmentActivities({ prisma: db.prisma });
  clinicId = (await db.prisma.clinic.create({ data: { name: 'Accounts', timezone: 'Europe/London', licenseTierCode: 'L', currency: 'GBP' } })).id;
  practitionerId = (await db.prisma.staffUser.create({ data: { clinicId, email: 'pt@accounts.test', passwordHash: 'x', firstName: 'P', lastName: 'T', role: 'THERAPIST' } })).id;
});
after(async () => db?.drop());

let hour = 0;
async function inProgressSession(patientId: string, price: string) {
  const startsAt = new Date(Date.UTC(2026, 10, 2, 8) + ++hour * 3_600_000);
  const session = await insertAppointment({ db }, { clinicId, patientId, practitionerId, status: 'IN_PROGRESS', startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 1_800_000).toISOString(), price });
  return session.id;
}

test("completing a visit uses the patient's prepaid credit as far as it goes, once, even when the completion is retried", async () => {
  const patientId = (await db.prisma.patient.create({ data: { clinicId, firstName: 'C', lastName: 'R', barcode: 'ACC-1' } })).id;
  await db.prisma.creditEntry.create({ data: { clinicId, patientId, amount: '50.00', currency: 'GBP', method: 'CASH' } });
  const first = await inProgressSession(patientId, '80.00');
  for (let attempt = 0; attempt < 2; attempt++) await acts.applyAppointmentTransition({ clinicId, appointmentId: first, action: 'complete', at: Date.now() });
  const payments = await db.prisma.payment.findMany({ where: { appointmentId: first } });
  assert.deepEqual(payments.map((p) => [p.method, p.amount.toFixed(2), p.currency]), [['CREDIT', '50.00', 'GBP']]);
  assert.equal((await creditBalance(db.prisma, clinicId, patientId)).toFixed(2), '0.00');
  assert.equal((await outstandingDues(db.prisma, clinicId, patientId, 'GBP')).total, '30.00');

  // More credit than the next visit costs: only its price is used.
  await db.prisma.creditEntry.create({ data: { clinicId, patientId, amount: '100.00', currency: 'GBP', method: 'CARD' } });
  const second = await inProgressSession(patientId, '25.50');
  await acts.applyAppointmentTransition({ clinicId, appointmentId: second, action: 'complete', at: Date.now() });
  assert.equal((await creditBalance(db.prisma, clinicId, patientId)).toFixed(2), '74.50');
  assert.equal((await outstandingDues(db.prisma, clinicId, patientId, 'GBP')).total, '30.00');
});

test('without credit, completing a priced visit records no payment and leaves the whole cost due', async () => {
  const patientId = (await db.prisma.patient.create({ data: { clinicId, firstName: 'N', lastName: 'C', barcode: 'ACC-2' } })).id;
  const id = await inProgressSession(patientId, '40.00');
  const done = await acts.applyAppointmentTransition({ clinicId, appointmentId: id, action: 'complete', at: Date.now() });
  assert.equal(done.status, 'COMPLETED');
  assert.equal(await db.prisma.payment.count({ where: { appointmentId: id } }), 0);
  assert.equal((await outstandingDues(db.prisma, clinicId, patientId, 'GBP')).total, '40.00');
});
