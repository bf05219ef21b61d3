/** Expenses: CRUD, audit, the seed's role matrix, receipt files on local disk and on S3 (moto). */
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Actor, actor, bearer, createClinic, startTestApi, type TestApi } from '../../test/support/api';
import { type Moto, startMoto } from '../../test/support/moto';
import { LocalDiskStorage } from '../storage/local-disk-storage';
import { S3FileStorage } from '../storage/s3-storage';

const EXPENSES = '/api/v1/expenses';
const PDF = Buffer.from('%PDF-1.4\n% a receipt\n%%EOF\n');

interface ExpenseBody {
  id: string;
  category: string;
  amount: string;
  currency: string;
  date: string;
  vendor: string | null;
  paymentMethod: string;
  note: string | null;
  receipt: { contentType: string; size: number } | null;
  createdAt: string;
  updatedAt: string;
}

describe('expenses', () => {
  let api: TestApi;
  let dir: string;
  let clinicId: string;
  let admin: Actor;
  let accountant: Actor;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clinicflow-files-'));
    api = await startTestApi({}, { deps: { files: new LocalDiskStorage(dir) } });
    clinicId = (await createClinic(api, { tier: 'L' })).id;
    await api.db.prisma.clinic.update({ where: { id: clinicId }, data: { currency: 'INR' } });
    admin = await actor(api, 'CLINIC_ADMIN', clinicId);
    accountant = await actor(api, 'ACCOUNTANT', clinicId);
  });
  after(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  const create = (who: Actor, body: Record<string, unknown>) => api.http.post(EXPENSES).set(bearer(who)).send(body);
  const rent = { category: 'rent', amount: '45000.50', date: '2026-11-01', vendor: 'Landlord Ltd', paymentMethod: 'BANK_TRANSFER', note: 'November' };

  test('an accountant records, changes and deletes an expense: Decimal amounts in the clinic currency, every step audited', async () => {
    const created = (await create(accountant, rent).expect(201)).body as ExpenseBody;
    assert.deepEqual(
      { ...created, id: undefined },
      { id: undefined, category: 'rent', amount: '45000.50', currency: 'INR', date: '2026-11-01', vendor: 'Landlord Ltd', paymentMethod: 'BANK_TRANSFER', note: 'November', receipt: null, createdAt: created.createdAt, updatedAt: created.updatedAt },
    );
    const row = await api.db.prisma.expense.findUniqueOrThrow({ where: { id: created.id } });
    assert.equal(row.amount.toFixed(2), '45000.50');
    assert.equal(row.clinicId, clinicId);

    const changed = (await api.http.put(`${EXPENSES}/${created.id}`).set(bearer(accountant)).send({ amount: 46000, vendor: null }).expect(200)).body as ExpenseBody;
    assert.deepEqual([changed.amount, changed.vendor, changed.category], ['46000.00', null, 'rent']);
    const read = (await api.http.get(`${EXPENSES}/${created.id}`).set(bearer(admin)).expect(200)).body as ExpenseBody;
    assert.equal(read.amount, '46000.00');

    await api.http.delete(`${EXPENSES}/${created.id}`).set(bearer(admin)).expect(204);
    await api.http.get(`${EXPENSES}/${created.id}`).set(bearer(admin)).expect(404);
    const actions = (await api.db.prisma.auditLog.findMany({ where: { entityId: created.id }, orderBy: { createdAt: 'asc' } })).map((a) => a.action);
    assert.deepEqual(actions, ['expense.create', 'expense.update', 'expense.delete']);
  });

  test('the list filters by day and category, newest first', async () => {
    const a = (await create(admin, { ...rent, date: '2026-10-01' }).expect(201)).body as ExpenseBody;
    const b = (await create(admin, { category: 'supplies', amount: '120.25', date: '2026-10-15', paymentMethod: 'CARD' }).expect(201)).body as ExpenseBody;
    const oct = (await api.http.get(EXPENSES).query({ from: '2026-10-01', to: '2026-10-31' }).set(bearer(accountant)).expect(200)).body as { data: ExpenseBody[] };
    assert.deepEqual(oct.data.map((e) => e.id), [b.id, a.id]);
    const supplies = (await api.http.get(EXPENSES).query({ category: 'supplies' }).set(bearer(accountant)).expect(200)).body as { data: ExpenseBody[] };
    assert.deepEqual(supplies.data.map((e) => e.id), [b.id]);
  });

  test('bad input is refused with 400: zero amount, a float-looking amount, an unknown method, a NUL byte', async () => {
    for (const body of [
      { ...rent, amount: '0' },
      { ...rent, amount: '1.005' },
      { ...rent, paymentMethod: 'STRIPE' },
      { ...rent, vendor: 'bad\u0000vendor' },
      { ...rent, date: '2026-13-01' },
    ]) {
      await create(admin, body).expect(400);
    }
  });

  test("roles as seed 004's matrix: admin and accountant write, the others read; receipts only for the books' keepers", async () => {
    const e = (await create(admin, rent).expect(201)).body as ExpenseBody;
    await api.http.put(`${EXPENSES}/${e.id}/receipt`).set(bearer(admin)).set('Content-Type', 'application/pdf').send(PDF).expect(200);
    for (const role of ['MANAGER', 'DOCTOR', 'THERAPIST', 'NURSE', 'RECEPTIONIST'] as const) {
      const who = await actor(api, role, clinicId);
      await api.http.get(EXPENSES).set(bearer(who)).expect(200);
      await api.http.get(`${EXPENSES}/${e.id}`).set(bearer(who)).expect(200);
      await create(who, rent).expect(403);
      await api.http.put(`${EXPENSES}/${e.id}`).set(bearer(who)).send({ amount: 1 }).expect(403);
      await api.http.delete(`${EXPENSES}/${e.id}`).set(bearer(who)).expect(403);
      await api.http.get(`${EXPENSES}/${e.id}/receipt`).set(bearer(who)).expect(403);
      await api.http.put(`${EXPENSES}/${e.id}/receipt`).set(bearer(who)).set('Content-Type', 'application/pdf').send(PDF).expect(403);
    }
    const ops = await actor(api, 'OPS', null);
    await api.http.get(EXPENSES).set(bearer(ops)).expect(403);
    await api.http.get(`${EXPENSES}/${e.id}/receipt`).set(bearer(accountant)).expect(200);
  });

  test('a receipt on local disk: stored under the storage root, served back byte for byte, type and size limits, removed with its expense', async () => {
    const e = (await create(accountant, rent).expect(201)).body as ExpenseBody;
    await api.http.get(`${EXPENSES}/${e.id}/receipt`).set(bearer(accountant)).expect(404);
    const withReceipt = (await api.http.put(`${EXPENSES}/${e.id}/receipt`).set(bearer(accountant)).set('Content-Type', 'application/pdf').send(PDF).expect(200)).body as ExpenseBody;
    assert.deepEqual(withReceipt.receipt, { contentType: 'application/pdf', size: PDF.length });
    const onDisk = join(dir, 'receipts', clinicId, e.id);
    assert.ok(existsSync(onDisk));

    const got = await api.http.get(`${EXPENSES}/${e.id}/receipt`).set(bearer(admin)).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => done(null, Buffer.concat(chunks)));
    }).expect(200);
    assert.equal(got.headers['content-type'], 'application/pdf');
    assert.match(String(got.headers['content-disposition']), /^attachment/);
    assert.deepEqual(got.body, PDF);

    const refusedType = await api.http.put(`${EXPENSES}/${e.id}/receipt`).set(bearer(accountant)).set('Content-Type', 'text/html').send('<script>x</script>').expect(415);
    assert.equal((refusedType.body as { error: { code: string } }).error.code, 'UNSUPPORTED_MEDIA_TYPE');
    const tooBig = await api.http.put(`${EXPENSES}/${e.id}/receipt`).set(bearer(accountant)).set('Content-Type', 'image/png').send(Buffer.alloc(5 * 1024 * 1024 + 1)).expect(413);
    assert.equal((tooBig.body as { error: { code: string } }).error.code, 'PAYLOAD_TOO_LARGE');
    await api.http.put(`${EXPENSES}/${e.id}/receipt`).set(bearer(accountant)).set('Content-Type', 'image/png').send(Buffer.alloc(0)).expect(400);

    await api.http.delete(`${EXPENSES}/${e.id}`).set(bearer(accountant)).expect(204);
    assert.equal(existsSync(onDisk), false);
  });

  test("another clinic's expense answers 404, and its receipt is out of reach", async () => {
    const other = (await createClinic(api, { tier: 'L' })).id;
    const otherAdmin = await actor(api, 'CLINIC_ADMIN', other);
    const theirs = (await create(otherAdmin, rent).expect(201)).body as ExpenseBody;
    await api.http.put(`${EXPENSES}/${theirs.id}/receipt`).set(bearer(otherAdmin)).set('Content-Type', 'application/pdf').send(PDF).expect(200);
    await api.http.get(`${EXPENSES}/${theirs.id}`).set(bearer(admin)).expect(404);
    await api.http.get(`${EXPENSES}/${theirs.id}/receipt`).set(bearer(admin)).expect(404);
    await api.http.put(`${EXPENSES}/${theirs.id}`).set(bearer(admin)).send({ amount: 1 }).expect(404);
    await api.http.delete(`${EXPENSES}/${theirs.id}`).set(bearer(admin)).expect(404);
    const mine = (await api.http.get(EXPENSES).set(bearer(admin)).query({ limit: 100 }).expect(200)).body as { data: ExpenseBody[] };
    assert.ok(!mine.data.some((x) => x.id === theirs.id));
  });
});

describe('expense receipts on S3 (moto)', () => {
  let moto: Moto;
  let api: TestApi;
  let storage: S3FileStorage;
  let s3: S3Client;
  const bucket = 'clinicflow-receipts';

  before(async () => {
    moto = await startMoto();
    // The AWS SDK's default chain, as in production; moto takes any key.
    process.env.AWS_ACCESS_KEY_ID = 'test';
    process.env.AWS_SECRET_ACCESS_KEY = 'test';
    s3 = new S3Client({ region: 'us-east-1', endpoint: moto.url, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    storage = new S3FileStorage({ bucket, region: 'us-east-1', endpoint: moto.url });
    api = await startTestApi({}, { deps: { files: storage } });
  });
  after(async () => {
    await api.close();
    storage.destroy();
    s3.destroy();
    await moto.stop();
  });

  test('the receipt is an object of the bucket, served back, and deleted with its expense', async () => {
    const clinicId = (await createClinic(api, { tier: 'L' })).id;
    const accountant = await actor(api, 'ACCOUNTANT', clinicId);
    const e = (await api.http.post(EXPENSES).set(bearer(accountant)).send({ category: 'supplies', amount: '99.99', date: '2026-11-20', paymentMethod: 'CASH' }).expect(201)).body as ExpenseBody;
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);
    await api.http.put(`${EXPENSES}/${e.id}/receipt`).set(bearer(accountant)).set('Content-Type', 'image/jpeg').send(jpeg).expect(200);

    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `receipts/${clinicId}/${e.id}` }));
    assert.equal(object.ContentType, 'image/jpeg');
    assert.deepEqual(Buffer.from(await object.Body!.transformToByteArray()), jpeg);

    const got = await api.http.get(`${EXPENSES}/${e.id}/receipt`).set(bearer(accountant)).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => done(null, Buffer.concat(chunks)));
    }).expect(200);
    assert.equal(got.headers['content-type'], 'image/jpeg');
    assert.deepEqual(got.body, jpeg);

    await api.http.delete(`${EXPENSES}/${e.id}`).set(bearer(accountant)).expect(204);
    assert.equal(await storage.get(`receipts/${clinicId}/${e.id}`), null);
  });
});
