/**
 * The tenant extension (scopedToClinic): a client scoped to clinic A must neither read nor change
 * clinic B's rows, whatever the query says, and must stamp A's id on everything it creates.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../test/support/database';
import { type Patient, type Prisma } from './generated/client';
import { scopedToClinic, type TenantDb, TenantScopeViolation } from './tenant';

let db: TestDatabase;
let clinicA: string;
let clinicB: string;
let scoped: TenantDb;

let seq = 0;
const barcode = (prefix: string) => `${prefix}-${++seq}-${randomUUID().slice(0, 8)}`;

async function addPatient(clinicId: string, firstName: string): Promise<Patient> {
  return db.prisma.patient.create({ data: { clinicId, firstName, lastName: 'Row', barcode: barcode(firstName) } });
}

/** Every B row the tests look at, as stored, to prove nothing touched them. */
async function snapshotB() {
  const p = db.prisma;
  return {
    clinic: await p.clinic.findUnique({ where: { id: clinicB } }),
    patients: await p.patient.findMany({ where: { clinicId: clinicB }, orderBy: { id: 'asc' } }),
    staff: await p.staffUser.findMany({ where: { clinicId: clinicB }, orderBy: { id: 'asc' } }),
    alerts: await p.licenseAlert.findMany({ where: { clinicId: clinicB }, orderBy: { id: 'asc' } }),
  };
}

// A row shaped for the unchecked create input without clinicId: the extension is what adds it.
const withoutClinic = <T>(data: T) => data as T & { clinicId: string };

let patientsA: Patient[];
let patientsB: Patient[];
let staffB: string;

before(async () => {
  db = await createTestDatabase();
  clinicA = (await db.prisma.clinic.create({ data: { name: 'Clinic A', timezone: 'Europe/London', licenseTierCode: 'S' } })).id;
  clinicB = (await db.prisma.clinic.create({ data: { name: 'Clinic B', timezone: 'Asia/Kolkata', licenseTierCode: 'M' } })).id;
  scoped = scopedToClinic(db.prisma, clinicA);
  await db.prisma.staffUser.create({ data: { clinicId: clinicA, email: 'admin@a.test', passwordHash: 'x', firstName: 'Ada', lastName: 'A', role: 'CLINIC_ADMIN' } });
  staffB = (await db.prisma.staffUser.create({ data: { clinicId: clinicB, email: 'admin@b.test', passwordHash: 'x', firstName: 'Bea', lastName: 'B', role: 'CLINIC_ADMIN' } })).id;
  await db.prisma.staffUser.create({ data: { clinicId: null, email: 'root@platform.test', passwordHash: 'x', firstName: 'Root', lastName: 'P', role: 'SUPER_ADMIN' } });
});

after(async () => {
  await db.drop();
});

beforeEach(async () => {
  await db.prisma.patient.deleteMany({});
  await db.prisma.licenseAlert.deleteMany({});
  patientsA = [await addPatient(clinicA, 'Alice'), await addPatient(clinicA, 'Arthur')];
  patientsB = [await addPatient(clinicB, 'Bob'), await addPatient(clinicB, 'Bella'), await addPatient(clinicB, 'Boris')];
  for (const clinicId of [clinicA, clinicB]) {
    await db.prisma.licenseAlert.create({
      data: { clinicId, metric: 'PATIENTS', level: 'WARNING', usage: 8, limit: 10, percent: 80, checkDate: new Date('2026-01-01'), workflowId: `licensing/${clinicId}/2026-01-01` },
    });
  }
});

const idsOf = (rows: { id: string }[]) => rows.map((r) => r.id).sort();

describe('reads', () => {
  test('findMany returns only the clinic’s rows, even when the filter names the other clinic', async () => {
    assert.deepEqual(idsOf(await scoped.patient.findMany()), idsOf(patientsA));
    // A filter naming the other clinic matches nothing; it is not silently rewritten to the own clinic.
    assert.deepEqual(await scoped.patient.findMany({ where: { clinicId: clinicB } }), []);
    assert.deepEqual(await scoped.patient.findMany({ where: { clinicId: { in: [clinicA, clinicB] } } }).then(idsOf), idsOf(patientsA));
    const either = await scoped.patient.findMany({ where: { OR: [{ clinicId: clinicB }, { firstName: 'Bob' }] } });
    assert.deepEqual(either, []);
    const byIds = await scoped.patient.findMany({ where: { id: { in: idsOf([...patientsA, ...patientsB]) } } });
    assert.deepEqual(idsOf(byIds), idsOf(patientsA));
  });

  test('findFirst and findUnique do not find another clinic’s row by its id', async () => {
    const b = patientsB[0]!;
    assert.equal(await scoped.patient.findFirst({ where: { id: b.id } }), null);
    assert.equal(await scoped.patient.findUnique({ where: { id: b.id } }), null);
    assert.equal(await scoped.patient.findUnique({ where: { clinicId_barcode: { clinicId: clinicB, barcode: b.barcode } } }), null);
    await assert.rejects(scoped.patient.findUniqueOrThrow({ where: { id: b.id } }));
    await assert.rejects(scoped.patient.findFirstOrThrow({ where: { id: b.id } }));
    // The same calls do find the clinic's own row, so the nulls above come from the scope.
    const a = patientsA[0]!;
    assert.equal((await scoped.patient.findUnique({ where: { id: a.id } }))?.id, a.id);
    assert.equal((await scoped.patient.findFirst({ where: { id: a.id } }))?.id, a.id);
  });

  test('a cursor naming another clinic’s row positions nothing: same as a cursor to no row', async () => {
    // Interleave ids (uuid v7 grow with time) so that B's row sits between A's rows.
    const early = await addPatient(clinicA, 'Early');
    const middleB = await addPatient(clinicB, 'Middle');
    const late = await addPatient(clinicA, 'Late');
    for (const order of ['asc', 'desc'] as const) {
      const page = (cursor: string) => scoped.patient.findMany({ orderBy: { id: order }, cursor: { id: cursor }, skip: 1, take: 50 }).then(idsOf);
      assert.deepEqual(await page(middleB.id), await page(randomUUID()), `order ${order}`);
      assert.deepEqual(await page(middleB.id), [], `order ${order}`);
      // A cursor to the clinic's own row pages on as usual.
      const own = await page(order === 'asc' ? early.id : late.id);
      assert.ok(own.includes(order === 'asc' ? late.id : early.id), `order ${order}: ${own.join()}`);
      assert.ok(!own.includes(middleB.id));
    }
    assert.equal(await scoped.patient.findFirst({ cursor: { id: middleB.id } }), null);
    assert.equal(await scoped.patient.count({ cursor: { id: middleB.id } }), 0);
  });

  test('count, aggregate and groupBy only see the clinic’s rows', async () => {
    assert.equal(await scoped.patient.count(), patientsA.length);
    assert.equal(await scoped.patient.count({ where: { clinicId: clinicB } }), 0);
    const agg = await scoped.patient.aggregate({ _count: { _all: true } });
    assert.equal(agg._count._all, patientsA.length);
    const groups = await scoped.patient.groupBy({ by: ['clinicId'], _count: { _all: true } });
    assert.deepEqual(
      groups.map((g) => ({ clinicId: g.clinicId, n: g._count._all })),
      [{ clinicId: clinicA, n: patientsA.length }],
    );
  });

  test('staff queries do not reach the other clinic or platform staff', async () => {
    const staff = await scoped.staffUser.findMany();
    assert.deepEqual(
      staff.map((s) => s.email),
      ['admin@a.test'],
    );
    assert.equal(await scoped.staffUser.findUnique({ where: { id: staffB } }), null);
    assert.equal(await scoped.staffUser.findUnique({ where: { email: 'admin@b.test' } }), null);
    assert.equal(await scoped.staffUser.findUnique({ where: { email: 'root@platform.test' } }), null);
  });
});

describe('writes', () => {
  test('update of another clinic’s id throws and leaves the row unchanged', async () => {
    const before = await snapshotB();
    await assert.rejects(scoped.patient.update({ where: { id: patientsB[0]!.id }, data: { firstName: 'Hijacked' } }), { code: 'P2025' });
    await assert.rejects(scoped.staffUser.update({ where: { id: staffB }, data: { active: false } }), { code: 'P2025' });
    assert.deepEqual(await snapshotB(), before);
  });

  test('updateMany and updateManyAndReturn affect only the clinic’s rows', async () => {
    const before = await snapshotB();
    const targeted = await scoped.patient.updateMany({ where: { id: patientsB[0]!.id }, data: { firstName: 'Hijacked' } });
    assert.equal(targeted.count, 0);
    const all = await scoped.patient.updateMany({ data: { gender: 'x' } });
    assert.equal(all.count, patientsA.length);
    const returned = await scoped.patient.updateManyAndReturn({ where: { firstName: { startsWith: 'B' } }, data: { firstName: 'Hijacked' } });
    assert.deepEqual(returned, []);
    assert.deepEqual(await snapshotB(), before);
    assert.ok((await db.prisma.patient.findMany({ where: { clinicId: clinicA } })).every((p) => p.gender === 'x'));
  });

  test('delete of another clinic’s id throws; deleteMany removes only the clinic’s rows', async () => {
    const before = await snapshotB();
    await assert.rejects(scoped.patient.delete({ where: { id: patientsB[0]!.id } }), { code: 'P2025' });
    assert.equal((await scoped.patient.deleteMany({ where: { id: patientsB[1]!.id } })).count, 0);
    assert.equal((await scoped.licenseAlert.deleteMany({})).count, 1);
    assert.equal((await scoped.patient.deleteMany({})).count, patientsA.length);
    assert.deepEqual(await snapshotB(), before);
    assert.equal(await db.prisma.licenseAlert.count({ where: { clinicId: clinicA } }), 0);
    assert.equal(await db.prisma.patient.count({ where: { clinicId: clinicA } }), 0);
  });

  test('upsert on another clinic’s id never updates that row', async () => {
    const before = await snapshotB();
    const b = patientsB[0]!;
    await assert.rejects(
      scoped.patient.upsert({
        where: { id: b.id },
        update: { firstName: 'Hijacked' },
        create: withoutClinic({ id: b.id, firstName: 'Hijacked', lastName: 'X', barcode: barcode('up') }),
      }),
      // Not found in the clinic, so Prisma tries the create, which collides with B's primary key.
      { code: 'P2002' },
    );
    assert.deepEqual(await snapshotB(), before);
  });

  test('upsert updates the clinic’s own row and creates new rows in the clinic', async () => {
    const a = patientsA[0]!;
    const updated = await scoped.patient.upsert({ where: { id: a.id }, update: { firstName: 'Alicia' }, create: withoutClinic({ firstName: 'never', lastName: 'X', barcode: barcode('up') }) });
    assert.equal(updated.id, a.id);
    assert.equal(updated.firstName, 'Alicia');
    const id = randomUUID();
    const created = await scoped.patient.upsert({ where: { id }, update: { firstName: 'never' }, create: withoutClinic({ id, firstName: 'Neo', lastName: 'X', barcode: barcode('up') }) });
    assert.equal(created.clinicId, clinicA);
    assert.equal((await db.prisma.patient.findUniqueOrThrow({ where: { id } })).clinicId, clinicA);
  });

  test('create sets the clinic id', async () => {
    const created = await scoped.patient.create({ data: withoutClinic({ firstName: 'Nina', lastName: 'New', barcode: barcode('new') }) });
    assert.equal(created.clinicId, clinicA);
    assert.equal((await db.prisma.patient.findUniqueOrThrow({ where: { id: created.id } })).clinicId, clinicA);
    const same = await scoped.patient.create({ data: { clinicId: clinicA, firstName: 'Nora', lastName: 'New', barcode: barcode('new') } });
    assert.equal(same.clinicId, clinicA);
  });

  test('create naming another clinic throws TenantScopeViolation and writes nothing', async () => {
    const before = await snapshotB();
    await assert.rejects(scoped.patient.create({ data: { clinicId: clinicB, firstName: 'Sneaky', lastName: 'X', barcode: barcode('bad') } }), TenantScopeViolation);
    await assert.rejects(
      scoped.staffUser.create({ data: { clinicId: clinicB, email: 'sneaky@b.test', passwordHash: 'x', firstName: 'S', lastName: 'X', role: 'CLINIC_ADMIN' } }),
      TenantScopeViolation,
    );
    // Platform staff belong to no clinic; a clinic-scoped client cannot create one either.
    await assert.rejects(
      scoped.staffUser.create({ data: { clinicId: null, email: 'sneaky-root@platform.test', passwordHash: 'x', firstName: 'S', lastName: 'X', role: 'SUPER_ADMIN' } }),
      TenantScopeViolation,
    );
    // Through the relation instead of the column: still never lands in B.
    await assert.rejects(scoped.patient.create({ data: { clinic: { connect: { id: clinicB } }, firstName: 'Sneaky', lastName: 'X', barcode: barcode('bad') } }));
    assert.deepEqual(await snapshotB(), before);
    assert.equal(await db.prisma.staffUser.count({ where: { email: { startsWith: 'sneaky' } } }), 0);
    assert.equal(await db.prisma.patient.count({ where: { firstName: 'Sneaky' } }), 0);
  });

  test('createMany and createManyAndReturn set the clinic id on every row', async () => {
    const rows = ['C1', 'C2', 'C3'].map((firstName) => withoutClinic({ firstName, lastName: 'Many', barcode: barcode(firstName) }));
    assert.equal((await scoped.patient.createMany({ data: rows })).count, 3);
    const stored = await db.prisma.patient.findMany({ where: { lastName: 'Many' } });
    assert.equal(stored.length, 3);
    assert.ok(stored.every((p) => p.clinicId === clinicA));
    // A single object (not an array) is accepted by Prisma too.
    assert.equal((await scoped.patient.createMany({ data: withoutClinic({ firstName: 'Solo', lastName: 'Many', barcode: barcode('solo') }) })).count, 1);
    const returned = await scoped.patient.createManyAndReturn({ data: [withoutClinic({ firstName: 'R1', lastName: 'Ret', barcode: barcode('r') })] });
    assert.deepEqual(
      returned.map((p) => p.clinicId),
      [clinicA],
    );
    assert.ok((await db.prisma.patient.findMany({ where: { lastName: { in: ['Many', 'Ret'] } } })).every((p) => p.clinicId === clinicA));
  });

  test('createMany with one row naming another clinic throws and creates none of the rows', async () => {
    const before = await snapshotB();
    const rows: Prisma.PatientCreateManyInput[] = [
      withoutClinic({ firstName: 'Ok', lastName: 'Batch', barcode: barcode('ok') }),
      { clinicId: clinicB, firstName: 'Bad', lastName: 'Batch', barcode: barcode('bad') },
    ];
    await assert.rejects(scoped.patient.createMany({ data: rows }), TenantScopeViolation);
    await assert.rejects(scoped.patient.createManyAndReturn({ data: rows }), TenantScopeViolation);
    assert.equal(await db.prisma.patient.count({ where: { lastName: 'Batch' } }), 0);
    assert.deepEqual(await snapshotB(), before);
  });

  test('an update cannot move a row to another clinic', async () => {
    const before = await snapshotB();
    const a = patientsA[0]!;
    await assert.rejects(scoped.patient.update({ where: { id: a.id }, data: { clinicId: clinicB } }), TenantScopeViolation);
    await assert.rejects(scoped.patient.updateMany({ data: { clinicId: clinicB } }), TenantScopeViolation);
    await assert.rejects(scoped.patient.updateManyAndReturn({ data: { clinicId: clinicB } }), TenantScopeViolation);
    await assert.rejects(
      scoped.patient.upsert({ where: { id: a.id }, update: { clinicId: clinicB }, create: withoutClinic({ firstName: 'never', lastName: 'X', barcode: barcode('mv') }) }),
      TenantScopeViolation,
    );
    await assert.rejects(scoped.patient.update({ where: { id: a.id }, data: { clinic: { connect: { id: clinicB } } } }));
    assert.deepEqual(await snapshotB(), before);
    assert.deepEqual(idsOf(await db.prisma.patient.findMany({ where: { clinicId: clinicA } })), idsOf(patientsA));
    // Naming the own clinic is harmless.
    const same = await scoped.patient.update({ where: { id: a.id }, data: { clinicId: clinicA, firstName: 'Same' } });
    assert.equal(same.clinicId, clinicA);
  });
});

describe('interactive transactions of the scoped client', () => {
  test('reads, updates and creates inside $transaction stay in the clinic', async () => {
    const before = await snapshotB();
    const result = await scoped.$transaction(async (tx) => {
      const seen = await tx.patient.findMany();
      const b = await tx.patient.findUnique({ where: { id: patientsB[0]!.id } });
      const touched = await tx.patient.updateMany({ where: { id: patientsB[1]!.id }, data: { firstName: 'Hijacked' } });
      const created = await tx.patient.create({ data: withoutClinic({ firstName: 'Tx', lastName: 'Row', barcode: barcode('tx') }) });
      const count = await tx.patient.count();
      return { seen, b, touched, created, count };
    });
    assert.deepEqual(idsOf(result.seen), idsOf(patientsA));
    assert.equal(result.b, null);
    assert.equal(result.touched.count, 0);
    assert.equal(result.created.clinicId, clinicA);
    assert.equal(result.count, patientsA.length + 1);
    assert.deepEqual(await snapshotB(), before);
  });

  test('a scope violation inside $transaction rolls the transaction back', async () => {
    const before = await snapshotB();
    await assert.rejects(
      scoped.$transaction(async (tx) => {
        await tx.patient.create({ data: withoutClinic({ firstName: 'Rolled', lastName: 'Back', barcode: barcode('rb') }) });
        await tx.patient.update({ where: { id: patientsB[0]!.id }, data: { firstName: 'Hijacked' } });
      }),
      { code: 'P2025' },
    );
    await assert.rejects(
      scoped.$transaction(async (tx) => {
        await tx.patient.create({ data: withoutClinic({ firstName: 'Rolled', lastName: 'Back', barcode: barcode('rb') }) });
        await tx.patient.create({ data: { clinicId: clinicB, firstName: 'Rolled', lastName: 'Back', barcode: barcode('rb') } });
      }),
      TenantScopeViolation,
    );
    assert.equal(await db.prisma.patient.count({ where: { firstName: 'Rolled' } }), 0);
    assert.deepEqual(await snapshotB(), before);
  });
});

describe('the Clinic model is scoped by its id', () => {
  test('reads see only the clinic itself', async () => {
    assert.deepEqual(
      (await scoped.clinic.findMany()).map((c) => c.id),
      [clinicA],
    );
    assert.equal(await scoped.clinic.count(), 1);
    assert.equal(await scoped.clinic.findUnique({ where: { id: clinicB } }), null);
    assert.equal(await scoped.clinic.findFirst({ where: { name: 'Clinic B' } }), null);
    assert.equal((await scoped.clinic.findFirstOrThrow()).id, clinicA);
    const withPatients = await scoped.clinic.findFirstOrThrow({ include: { patients: true } });
    assert.deepEqual(idsOf(withPatients.patients), idsOf(patientsA));
  });

  test('writes cannot reach the other clinic', async () => {
    const before = await snapshotB();
    await assert.rejects(scoped.clinic.update({ where: { id: clinicB }, data: { name: 'Hijacked' } }), { code: 'P2025' });
    assert.equal((await scoped.clinic.updateMany({ data: { timezone: 'Europe/Paris' } })).count, 1);
    assert.equal((await scoped.clinic.updateMany({ where: { id: clinicB }, data: { name: 'Hijacked' } })).count, 0);
    await assert.rejects(scoped.clinic.create({ data: { id: clinicB, name: 'Dup', timezone: 'UTC', licenseTierCode: 'S' } }), TenantScopeViolation);
    await assert.rejects(scoped.clinic.update({ where: { id: clinicA }, data: { id: clinicB } }), TenantScopeViolation);
    assert.deepEqual(await snapshotB(), before);
    assert.equal((await db.prisma.clinic.findUniqueOrThrow({ where: { id: clinicA } })).timezone, 'Europe/Paris');
    await db.prisma.clinic.update({ where: { id: clinicA }, data: { timezone: 'Europe/London' } });
  });
});

test('a client scoped to B sees B and not A (the scope follows the id it was built with)', async () => {
  const scopedB = scopedToClinic(db.prisma, clinicB);
  assert.deepEqual(idsOf(await scopedB.patient.findMany()), idsOf(patientsB));
  assert.equal(await scopedB.patient.findUnique({ where: { id: patientsA[0]!.id } }), null);
  // Building B's client does not change A's.
  assert.deepEqual(idsOf(await scoped.patient.findMany()), idsOf(patientsA));
});
