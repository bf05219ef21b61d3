/**
 * Progress reports over the real API and PostgreSQL (and the Temporal dev server for sharing and
 * the documentation signal): templates and the values they allow, signing for good, comparison,
 * the PDF read back as text, share links (working, expired, tampered), the patient timeline's
 * order and cursor, and the practitioner's day.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { PDFParse } from 'pdf-parse';
import { type Test } from 'supertest';
import { documentationDeadlineStart, workflowIds } from '../../domain/temporal';
import { type Actor, actor, bearer, createClinic, startTestApi, type TestApi } from '../../test/support/api';
import { detailPaths, expectError } from '../../test/support/errors';
import { createPatient, insertAppointment } from '../../test/support/scheduling';
import { reportDownloadToken } from '../services/report-links';

const TEMPLATES = '/api/v1/progress-report-templates';
const REPORTS = '/api/v1/progress-reports';

const SECTIONS = [
  {
    key: 'assessment',
    title: 'Assessment',
    fields: [
      { key: 'pain', label: 'Pain level', type: 'scale', required: true },
      { key: 'mobility', label: 'Mobility', type: 'scale' },
      { key: 'notes', label: 'Observations', type: 'text' },
    ],
  },
  {
    key: 'plan',
    title: 'Plan',
    fields: [
      { key: 'homeExercises', label: 'Home exercises given', type: 'checkbox' },
      { key: 'walkUnaided', label: 'Walk 500 m unaided', type: 'goal', required: true },
    ],
  },
];

interface Report {
  id: string;
  status: string;
  values: Record<string, Record<string, unknown>>;
  reportedAt: string;
  signedAt: string | null;
  appointmentId: string | null;
}

const pdfText = async (data: Buffer) => (await new PDFParse({ data: new Uint8Array(data) }).getText()).text;
const binary = (res: { body: unknown }) => res.body as Buffer;
/** supertest keeps a PDF answer's bytes. */
const asBuffer = (req: Test) =>
  req.buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  });

describe('progress reports', () => {
  let api: TestApi;
  let clinicId: string;
  let clinicName: string;
  let admin: Actor;
  let therapist: Actor;
  let colleague: Actor;
  let accountant: Actor;
  let receptionist: Actor;
  let patientId: string;
  let templateId: string;
  let sessionId: string;

  before(async () => {
    api = await startTestApi();
    clinicName = `Riverside Therapy ${randomUUID().slice(0, 6)}`;
    clinicId = (await createClinic(api, { tier: 'L', name: clinicName })).id;
    admin = await actor(api, 'CLINIC_ADMIN', clinicId);
    therapist = await actor(api, 'THERAPIST', clinicId);
    colleague = await actor(api, 'THERAPIST', clinicId);
    accountant = await actor(api, 'ACCOUNTANT', clinicId);
    receptionist = await actor(api, 'RECEPTIONIST', clinicId);
    const patient = await api.db.prisma.patient.update({
      where: { id: (await createPatient(api, clinicId)).id },
      data: { firstName: 'Maya', lastName: 'Lindqvist', email: 'maya@patients.test', guardianName: 'Ola Lindqvist', guardianRelationship: 'parent', guardianEmail: 'ola@patients.test' },
    });
    patientId = patient.id;
    const session = await insertAppointment(api, { clinicId, patientId, practitionerId: therapist.id, startsAt: '2026-03-02T09:00:00Z', endsAt: '2026-03-02T09:50:00Z', status: 'COMPLETED' });
    sessionId = session.id;
  });
  after(async () => {
    await api.close();
  });

  const draft = (who: Actor, values: object, extra: object = {}) => api.http.post(REPORTS).set(bearer(who)).send({ patientId, templateId, values, ...extra });

  describe('templates', () => {
    test('an admin adds a template; a practitioner reads it; its sections are validated with their paths', async () => {
      const res = await api.http.post(TEMPLATES).set(bearer(admin)).send({ name: 'Physiotherapy review', sections: SECTIONS }).expect(201);
      templateId = (res.body as { id: string }).id;
      const read = await api.http.get(`${TEMPLATES}/${templateId}`).set(bearer(therapist)).expect(200);
      assert.equal((read.body as { sections: unknown[] }).sections.length, 2);
      const audit = await api.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'progressReportTemplate.create', entityId: templateId } });
      assert.equal(audit.actorId, admin.id);

      const bad = await api.http
        .post(TEMPLATES)
        .set(bearer(admin))
        .send({ name: 'Broken', sections: [{ key: 'Bad Key', title: 'x', fields: [{ key: 'f', label: 'F', type: 'slider' }] }] });
      const err = expectError(bad, 400, 'VALIDATION_ERROR');
      assert.deepEqual(detailPaths(err), ['body.sections.0.fields.0.type', 'body.sections.0.key']);
      expectError(await api.http.post(TEMPLATES).set(bearer(admin)).send({ name: 'Physiotherapy review', sections: SECTIONS }), 409, 'TEMPLATE_EXISTS');
      expectError(await api.http.post(TEMPLATES).set(bearer(therapist)).send({ name: 'Mine', sections: SECTIONS }), 403, 'FORBIDDEN');
    });

    test('list by therapy type includes templates for any type; archive with PATCH; an unused template is deleted', async () => {
      const spare = (await api.http.post(TEMPLATES).set(bearer(admin)).send({ name: 'Spare', sections: SECTIONS }).expect(201)).body as { id: string };
      await api.http.patch(`${TEMPLATES}/${spare.id}`).set(bearer(admin)).send({ active: false }).expect(200);
      const active = (await api.http.get(TEMPLATES).query({ active: 'true' }).set(bearer(therapist)).expect(200)).body as { data: { id: string }[] };
      assert.ok(!active.data.some((t) => t.id === spare.id));
      await api.http.delete(`${TEMPLATES}/${spare.id}`).set(bearer(admin)).expect(204);
      assert.equal(await api.db.prisma.progressReportTemplate.count({ where: { id: spare.id } }), 0);
    });
  });

  describe('writing and signing', () => {
    test('values are checked against the template: wrong types and unknown fields answer 400 with their paths', async () => {
      const res = await draft(therapist, { assessment: { pain: 11, mobility: 'good', extra: 1 }, plan: { walkUnaided: { status: 'DONE' } } });
      const err = expectError(res, 400, 'VALIDATION_ERROR');
      assert.deepEqual(detailPaths(err), ['body.values.assessment', 'body.values.assessment.mobility', 'body.values.assessment.pain', 'body.values.plan.walkUnaided.status']);
      assert.equal(await api.db.prisma.progressReport.count({ where: { clinicId } }), 0);
    });

    test('a draft may be partial; signing needs the required fields (422 with paths); a signed report never changes', async () => {
      const created = await draft(therapist, { assessment: { pain: 7 } }, { appointmentId: sessionId }).expect(201);
      const report = created.body as Report;
      assert.equal(report.status, 'DRAFT');
      assert.equal(report.reportedAt, '2026-03-02T09:00:00.000Z', 'the session time');

      const incomplete = expectError(await api.http.post(`${REPORTS}/${report.id}/sign`).set(bearer(therapist)), 422, 'REPORT_INCOMPLETE');
      assert.deepEqual(detailPaths(incomplete), ['body.values.plan']);

      const values = { assessment: { pain: 7, mobility: 4, notes: 'Stiff in the morning' }, plan: { homeExercises: true, walkUnaided: { status: 'IN_PROGRESS', note: '200 m so far' } } };
      await api.http.patch(`${REPORTS}/${report.id}`).set(bearer(therapist)).send({ values }).expect(200);
      expectError(await api.http.post(`${REPORTS}/${report.id}/sign`).set(bearer(colleague)), 404, 'NOT_FOUND'); // not the colleague's patient
      const signed = (await api.http.post(`${REPORTS}/${report.id}/sign`).set(bearer(therapist)).expect(200)).body as Report;
      assert.equal(signed.status, 'SIGNED');
      assert.ok(signed.signedAt);

      expectError(await api.http.patch(`${REPORTS}/${report.id}`).set(bearer(therapist)).send({ values: { assessment: { pain: 1 } } }), 409, 'REPORT_SIGNED');
      expectError(await api.http.post(`${REPORTS}/${report.id}/sign`).set(bearer(therapist)), 409, 'REPORT_SIGNED');
      const row = await api.db.prisma.progressReport.findUniqueOrThrow({ where: { id: report.id } });
      assert.deepEqual(row.values, values);

      // The audit trail says who signed, never what the report says.
      const trail = await api.db.prisma.auditLog.findMany({ where: { entityId: report.id }, orderBy: { createdAt: 'asc' } });
      assert.deepEqual(trail.map((t) => t.action), ['progressReport.create', 'progressReport.update', 'progressReport.sign']);
      assert.ok(!JSON.stringify(trail).includes('Stiff in the morning'));
      // Practitioners see their patients' reports; accountants and the front desk none.
      await api.http.get(`${REPORTS}/${report.id}`).set(bearer(therapist)).expect(200);
      await api.http.get(`${REPORTS}/${report.id}`).set(bearer(admin)).expect(200);
      expectError(await api.http.get(`${REPORTS}/${report.id}`).set(bearer(accountant)), 403, 'FORBIDDEN');
      expectError(await api.http.get(`${REPORTS}/${report.id}`).set(bearer(receptionist)), 403, 'FORBIDDEN');
    });

    test('signing a session’s report sends documentationSigned to its deadline workflow', async () => {
      const appointment = await insertAppointment(api, { clinicId, patientId, practitionerId: therapist.id, startsAt: '2026-03-09T09:00:00Z', endsAt: '2026-03-09T09:50:00Z', status: 'COMPLETED' });
      // Started as the appointment workflow would, on a queue no worker polls: the signal lands in its history.
      const start = documentationDeadlineStart(clinicId, appointment.id);
      await api.temporal.client.workflow.start('documentationDeadlineWorkflow', { ...start, taskQueue: `no-worker-${randomUUID()}` });
      const values = { assessment: { pain: 5 }, plan: { walkUnaided: { status: 'ACHIEVED' } } };
      const report = (await draft(therapist, values, { appointmentId: appointment.id }).expect(201)).body as Report;
      await api.http.post(`${REPORTS}/${report.id}/sign`).set(bearer(therapist)).expect(200);
      const handle = api.temporal.client.workflow.getHandle(workflowIds.documentationDeadline(clinicId, appointment.id));
      const history = await handle.fetchHistory();
      assert.ok(history.events?.some((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'documentationSigned'));
      await handle.terminate('test done');
    });
  });

  describe('comparison, PDF and sharing', () => {
    let first: Report;
    let second: Report;

    before(async () => {
      first = (await draft(therapist, { assessment: { pain: 8, mobility: 3 }, plan: { walkUnaided: { status: 'NOT_STARTED' } } }).expect(201)).body as Report;
      second = (await draft(therapist, { assessment: { pain: 4 }, plan: { walkUnaided: { status: 'IN_PROGRESS' } } }).expect(201)).body as Report;
      for (const r of [first, second]) await api.http.post(`${REPORTS}/${r.id}/sign`).set(bearer(therapist)).expect(200);
    });

    test('compare: per scale field, before, after and delta', async () => {
      const res = await api.http.get(`${REPORTS}/compare`).query({ a: first.id, b: second.id }).set(bearer(therapist)).expect(200);
      assert.deepEqual((res.body as { scores: unknown[] }).scores, [
        { section: 'assessment', field: 'pain', label: 'Pain level', before: 8, after: 4, delta: -4 },
        { section: 'assessment', field: 'mobility', label: 'Mobility', before: 3, after: null, delta: null },
      ]);
      const other = await createPatient(api, clinicId);
      await insertAppointment(api, { clinicId, patientId: other.id, practitionerId: therapist.id, startsAt: '2026-03-03T09:00:00Z', endsAt: '2026-03-03T09:50:00Z', status: 'COMPLETED' });
      const foreign = (await api.http.post(REPORTS).set(bearer(therapist)).send({ patientId: other.id, templateId, values: {} }).expect(201)).body as Report;
      expectError(await api.http.get(`${REPORTS}/compare`).query({ a: first.id, b: foreign.id }).set(bearer(therapist)), 422, 'DIFFERENT_PATIENTS');
    });

    test("the PDF carries the clinic's name and the report's values, readable as text", async () => {
      const res = await asBuffer(api.http.get(`${REPORTS}/${first.id}/pdf`).set(bearer(therapist))).expect(200);
      assert.match(res.headers['content-type'] ?? '', /application\/pdf/);
      const text = await pdfText(binary(res));
      for (const expected of [clinicName, 'Physiotherapy review', 'Maya Lindqvist', 'Pain level: 8 / 10', 'Mobility: 3 / 10', 'Walk 500 m unaided: Not started']) assert.ok(text.includes(expected), `PDF has "${expected}": ${text}`);
    });

    test('share: a signed, expiring link by the delivery workflow; the link serves the PDF; expired is 410, tampered 404; the token is never logged', async () => {
      expectError(await api.http.post(`${REPORTS}/${(await draft(therapist, {}).expect(201)).body.id as string}/share`).set(bearer(therapist)).send({}), 409, 'REPORT_NOT_SIGNED');
      const res = await api.http.post(`${REPORTS}/${first.id}/share`).set(bearer(therapist)).send({ to: 'guardian', expiresInHours: 48 }).expect(202);
      const { messageId, workflowId } = res.body as { messageId: string; workflowId: string };
      const message = await api.db.prisma.message.findUniqueOrThrow({ where: { id: messageId } });
      assert.equal(message.templateKey, 'progress-report-shared');
      assert.deepEqual(message.recipient, { email: 'ola@patients.test' });
      const variables = message.variables as Record<string, string>;
      assert.equal(variables.recipientName, 'Ola Lindqvist');
      const described = await api.temporal.client.workflow.getHandle(workflowId).describe();
      assert.equal(described.type, 'messageDeliveryWorkflow');
      await api.temporal.client.workflow.getHandle(workflowId).terminate('test done');

      const path = new URL(variables.downloadUrl!).pathname;
      const download = await asBuffer(api.http.get(path)).expect(200);
      assert.ok((await pdfText(binary(download))).includes(clinicName));

      const token = path.split('/').at(-1)!;
      const [payload, sig] = token.split('.') as [string, string];
      const longer = Buffer.from(`${first.id}.${Date.now() + 365 * 86_400_000}`).toString('base64url');
      expectError(await api.http.get(`/api/v1/report-downloads/${longer}.${sig}`), 404, 'NOT_FOUND');
      expectError(await api.http.get(`/api/v1/report-downloads/${payload}.${sig.slice(0, -2)}AA`), 404, 'NOT_FOUND');
      const expired = reportDownloadToken(api.config.JWT_SECRET, first.id, new Date(Date.now() - 1000));
      expectError(await api.http.get(`/api/v1/report-downloads/${expired}`), 410, 'LINK_EXPIRED');
      assert.ok(!api.logs().includes(token), 'the token is not in the access log');
      assert.ok(api.logs().includes('/api/v1/report-downloads/[redacted]'));
    });
  });

  describe('search and the patient timeline', () => {
    test('search by therapist and date range', async () => {
      const page = (await api.http.get(REPORTS).query({ practitionerId: therapist.id, from: '2026-03-02T00:00:00Z', to: '2026-03-03T00:00:00Z' }).set(bearer(admin)).expect(200)).body as { data: Report[] };
      assert.ok(page.data.length >= 1);
      assert.ok(page.data.every((r) => r.reportedAt >= '2026-03-02' && r.reportedAt < '2026-03-03'));
      const none = (await api.http.get(REPORTS).query({ practitionerId: colleague.id }).set(bearer(admin)).expect(200)).body as { data: Report[] };
      assert.deepEqual(none.data, []);
    });

    test('appointments, treatment records, reports, payments and messages in one stream, newest first, walked page by page', async () => {
      const p = await createPatient(api, clinicId);
      const at = (iso: string) => new Date(iso);
      const a1 = await insertAppointment(api, { clinicId, patientId: p.id, practitionerId: therapist.id, startsAt: '2026-04-01T09:00:00Z', endsAt: '2026-04-01T09:50:00Z', status: 'COMPLETED' });
      const a2 = await insertAppointment(api, { clinicId, patientId: p.id, practitionerId: therapist.id, startsAt: '2026-04-08T09:00:00Z', endsAt: '2026-04-08T09:50:00Z' });
      const pay = await api.db.prisma.payment.create({ data: { clinicId, patientId: p.id, amount: '60.00', currency: 'EUR', method: 'CASH', idempotencyKey: randomUUID(), createdAt: at('2026-04-01T10:00:00Z') } });
      // Same instant as the payment: the tie is broken by kind, then id.
      const msg = await api.db.prisma.message.create({ data: { clinicId, patientId: p.id, category: 'manual', channels: ['email'], workflowId: `message/${clinicId}/${randomUUID()}`, createdAt: at('2026-04-01T10:00:00Z') } });
      const msg2 = await api.db.prisma.message.create({ data: { clinicId, patientId: p.id, category: 'manual', channels: ['email'], workflowId: `message/${clinicId}/${randomUUID()}`, createdAt: at('2026-03-20T08:00:00Z') } });
      const rep = await api.db.prisma.progressReport.create({ data: { clinicId, patientId: p.id, practitionerId: therapist.id, templateId, reportedAt: at('2026-04-01T09:00:00Z'), appointmentId: a1.id } });
      const rec = await api.db.prisma.treatmentRecord.create({
        data: { clinicId, appointmentId: a1.id, patientId: p.id, practitionerId: therapist.id, recordedById: therapist.id, durationMinutes: 50, cost: '60.00', finalAmount: '60.00', currency: 'EUR', createdAt: at('2026-04-01T09:50:00Z') },
      });
      const expected = [
        ['appointment', a2.id],
        ['payment', pay.id],
        ['message', msg.id],
        ['treatment-record', rec.id],
        ['progress-report', rep.id],
        ['appointment', a1.id],
        ['message', msg2.id],
      ];
      const walked: string[][] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await api.http
          .get(`/api/v1/patients/${p.id}/timeline`)
          .query({ limit: 2, ...(cursor ? { cursor } : {}) })
          .set(bearer(admin))
          .expect(200);
        const body = res.body as { data: { kind: string; id: string }[]; nextCursor: string | null };
        walked.push(...body.data.map((e) => [e.kind, e.id]));
        cursor = body.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      assert.deepEqual(walked, expected);
      assert.equal(pages, 4);

      // The therapist has no payment:read: the payment is not in their stream.
      const theirs = (await api.http.get(`/api/v1/patients/${p.id}/timeline`).set(bearer(therapist)).expect(200)).body as { data: { kind: string }[] };
      assert.deepEqual(theirs.data.map((e) => e.kind), ['appointment', 'message', 'treatment-record', 'progress-report', 'appointment', 'message']);
      // The front desk reads no clinical entries.
      const desk = (await api.http.get(`/api/v1/patients/${p.id}/timeline`).set(bearer(receptionist)).expect(200)).body as { data: { kind: string }[] };
      assert.equal(desk.data.some((e) => e.kind === 'treatment-record' || e.kind === 'progress-report'), false);
      const onlyReports = (await api.http.get(`/api/v1/patients/${p.id}/timeline`).query({ kinds: 'progress-report' }).set(bearer(admin)).expect(200)).body as { data: { id: string }[] };
      assert.deepEqual(onlyReports.data.map((e) => e.id), [rep.id]);
      expectError(await api.http.get(`/api/v1/patients/${p.id}/timeline`).query({ cursor: 'bm9wZQ' }).set(bearer(admin)), 400, 'INVALID_CURSOR');
      expectError(await api.http.get(`/api/v1/patients/${p.id}/timeline`).set(bearer(colleague)), 404, 'NOT_FOUND');
    });
  });

  describe("the practitioner's day", () => {
    test('schedule: the day and its week with statuses; patients flagged when a report is due; pending actions', async () => {
      const doctor = await actor(api, 'DOCTOR', clinicId);
      const p1 = await createPatient(api, clinicId);
      const p2 = await createPatient(api, clinicId);
      const soon = new Date(Date.now() + 3 * 3_600_000);
      // Wednesday 2026-05-06 and the Monday and Sunday of its week; one session the week after.
      const mon = await insertAppointment(api, { clinicId, patientId: p1.id, practitionerId: doctor.id, startsAt: '2026-05-04T09:00:00Z', endsAt: '2026-05-04T09:30:00Z', status: 'COMPLETED' });
      const wed = await insertAppointment(api, { clinicId, patientId: p2.id, practitionerId: doctor.id, startsAt: '2026-05-06T09:00:00Z', endsAt: '2026-05-06T09:30:00Z', status: 'CONFIRMED' });
      const sun = await insertAppointment(api, { clinicId, patientId: p2.id, practitionerId: doctor.id, startsAt: '2026-05-10T09:00:00Z', endsAt: '2026-05-10T09:30:00Z' });
      await insertAppointment(api, { clinicId, patientId: p2.id, practitionerId: doctor.id, startsAt: '2026-05-11T09:00:00Z', endsAt: '2026-05-11T09:30:00Z' });
      const next = await insertAppointment(api, { clinicId, patientId: p2.id, practitionerId: doctor.id, startsAt: soon.toISOString(), endsAt: new Date(soon.getTime() + 1_800_000).toISOString() });
      await api.db.prisma.appointment.update({ where: { id: mon.id }, data: { completedAt: new Date('2026-05-04T09:30:00Z') } });
      const request = await api.db.prisma.rescheduleRequest.create({ data: { clinicId, appointmentId: sun.id, therapistId: doctor.id, requestedStartsAt: new Date('2026-05-12T09:00:00Z'), reason: 'course', workflowId: `reschedule/${clinicId}/${randomUUID()}` } });

      const schedule = (await api.http.get('/api/v1/me/schedule').query({ date: '2026-05-06' }).set(bearer(doctor)).expect(200)).body as {
        day: { id: string; status: string }[];
        week: { from: string; to: string; days: { date: string; sessions: { id: string }[] }[] };
      };
      assert.deepEqual(schedule.day.map((s) => [s.id, s.status]), [[wed.id, 'CONFIRMED']]);
      assert.deepEqual([schedule.week.from, schedule.week.to], ['2026-05-04', '2026-05-10']);
      assert.deepEqual(schedule.week.days.flatMap((d) => d.sessions.map((s) => s.id)), [mon.id, wed.id, sun.id]);

      const patients = (await api.http.get('/api/v1/me/patients').set(bearer(doctor)).expect(200)).body as { data: { id: string; reportDue: boolean }[] };
      assert.deepEqual(patients.data.map((p) => [p.id, p.reportDue]).sort(), [[p1.id, true], [p2.id, false]].sort());

      const pending = (await api.http.get('/api/v1/me/pending').set(bearer(doctor)).expect(200)).body as {
        reportsToSign: { id: string; dueAt: string; overdue: boolean }[];
        rescheduleRequests: { id: string }[];
        next24Hours: { id: string }[];
      };
      assert.deepEqual(pending.reportsToSign.map((s) => [s.id, s.dueAt, s.overdue]), [[mon.id, '2026-05-05T09:30:00.000Z', true]]);
      assert.deepEqual(pending.rescheduleRequests.map((r) => r.id), [request.id]);
      assert.deepEqual(pending.next24Hours.map((s) => s.id), [next.id]);

      // Signing the session's report takes it off the list and the flag off the patient.
      const report = (await api.http.post(REPORTS).set(bearer(doctor)).send({ patientId: p1.id, templateId, appointmentId: mon.id, values: { assessment: { pain: 2 }, plan: { walkUnaided: { status: 'ACHIEVED' } } } }).expect(201)).body as Report;
      await api.http.post(`${REPORTS}/${report.id}/sign`).set(bearer(doctor)).expect(200);
      const after = (await api.http.get('/api/v1/me/pending').set(bearer(doctor)).expect(200)).body as { reportsToSign: unknown[] };
      assert.deepEqual(after.reportsToSign, []);
      const flags = (await api.http.get('/api/v1/me/patients').set(bearer(doctor)).expect(200)).body as { data: { reportDue: boolean }[] };
      assert.ok(flags.data.every((p) => !p.reportDue));

      expectError(await api.http.get('/api/v1/me/pending').set(bearer(receptionist)), 403, 'FORBIDDEN');
      expectError(await api.http.get('/api/v1/me/schedule').query({ date: '2026-13-01' }).set(bearer(doctor)), 400, 'VALIDATION_ERROR');
    });
  });
});
