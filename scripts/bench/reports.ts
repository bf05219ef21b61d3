/**
 * The reports goal: each report under 500 ms p95 for one clinic with 50,000 appointments and
 * 100,000 payments (issue 13), every completed session invoiced. The volume is seeded in SQL
 * (generate_series), then each report is
 * fetched through the API one request at a time, and printed next to a plain SQL baseline: the
 * same number of trivial indexed SELECTs (one per statement the report runs, with the clinic
 * look-up of its route), through the same database pool, in the same run.
 */
import bcrypt from 'bcryptjs';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { BENCH_TIER, ensureBenchTier } from './fixtures';
import { type BenchSettings } from './settings';
import { type BenchStack } from './stack';
import { ms, percentile, ratio, type Verdict } from './stats';

const PASSWORD = 'bench-password-0123456789';
const GOAL_MS = 500;

/** Each report, with the SQL statements one request of it runs (route's clinic look-up included). */
const REPORTS: Array<{ path: string; statements: number }> = [
  { path: '/api/v1/reports/dashboard', statements: 7 },
  { path: '/api/v1/reports/financial?from=2026-01-01&to=2026-12-31', statements: 3 },
  { path: '/api/v1/reports/sessions?from=2026-01-01&to=2026-12-31', statements: 3 },
  { path: '/api/v1/reports/dues-aging', statements: 3 },
  { path: '/api/v1/reports/patients?from=2026-01-01&to=2026-12-31', statements: 2 },
  { path: '/api/v1/reports/financial?from=2026-01-01&to=2026-12-31&format=csv', statements: 3 },
  { path: '/api/v1/reports/financial?from=2026-01-01&to=2026-12-31&format=pdf', statements: 3 },
];

export interface ReportFigures {
  rows: { appointments: number; payments: number };
  results: Array<{ path: string; p50: number; p95: number; baselineP50: number; baselineP95: number; errors: number }>;
}

/** One clinic with the goal's volume: 20 practitioners, 2,000 patients, 50,000 sessions over a year, 100,000 payments. */
async function seedVolume(stack: BenchStack, appointments: number, payments: number): Promise<{ clinicId: string; token: string }> {
  const { prisma } = stack;
  await ensureBenchTier(prisma);
  const clinic = await prisma.clinic.create({ data: { name: 'Reports bench', timezone: 'Asia/Kolkata', currency: 'INR', licenseTierCode: BENCH_TIER } });
  const id = clinic.id;
  const tag = randomUUID().slice(0, 8);
  const passwordHash = await bcrypt.hash(PASSWORD, 4);
  const owner = await prisma.staffUser.create({ data: { clinicId: id, email: `owner-${tag}@bench.clinicflow.test`, role: 'CLINIC_ADMIN', firstName: 'Owner', lastName: 'Bench', passwordHash } });
  await prisma.$executeRaw`
    INSERT INTO "StaffUser" (id, "clinicId", email, "passwordHash", "firstName", "lastName", role, "updatedAt")
    SELECT gen_random_uuid(), ${id}::uuid, 'pr-' || n || '-' || ${tag} || '@bench.clinicflow.test', ${passwordHash}, 'Thera', 'Pist ' || n, 'THERAPIST', now()
      FROM generate_series(1, 20) n`;
  await prisma.$executeRaw`
    INSERT INTO "PractitionerSchedule" (id, "clinicId", "practitionerId", weekly, "updatedAt")
    SELECT gen_random_uuid(), ${id}::uuid, s.id, (SELECT jsonb_agg(jsonb_build_object('weekday', d, 'start', '09:00', 'end', '18:00')) FROM generate_series(1, 6) d), now()
      FROM "StaffUser" s WHERE s."clinicId" = ${id}::uuid AND s.role = 'THERAPIST'`;
  await prisma.$executeRaw`
    INSERT INTO "TherapyType" (id, "clinicId", name, "defaultDurationMinutes", "defaultPrice", currency, "updatedAt")
    SELECT gen_random_uuid(), ${id}::uuid, 'Therapy ' || n, 60, 500 + n * 100, 'INR', now() FROM generate_series(1, 8) n`;
  await prisma.$executeRaw`
    INSERT INTO "Patient" (id, "clinicId", "firstName", "lastName", barcode, "createdAt", "updatedAt")
    SELECT gen_random_uuid(), ${id}::uuid, 'Pat', 'Ient ' || n, 'RB-' || ${tag} || '-' || n, now() - (n % 400) * interval '1 day', now() FROM generate_series(1, 2000) n`;
  // Practitioner i mod 20 in slot i div 20, three hours apart: never two sessions of one practitioner (or patient) at once.
  await prisma.$executeRaw`
    WITH pr AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM "StaffUser" WHERE "clinicId" = ${id}::uuid AND role = 'THERAPIST'),
         pt AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM "Patient" WHERE "clinicId" = ${id}::uuid),
         tt AS (SELECT id, "defaultPrice", row_number() OVER (ORDER BY id) - 1 AS k FROM "TherapyType" WHERE "clinicId" = ${id}::uuid)
    INSERT INTO "Appointment" (id, "clinicId", "reservationId", "patientId", "practitionerId", "therapyTypeId", type, "bookingMode", status, "startsAt", "endsAt", price, currency, "idempotencyKey", "workflowId", "workflowStartedAt", "updatedAt")
    SELECT gen_random_uuid(), ${id}::uuid, 'RB-' || ${tag} || '-' || i, pt.id, pr.id, tt.id, 'TREATMENT', 'SPECIFIC_TIME',
           (ARRAY['COMPLETED','COMPLETED','COMPLETED','COMPLETED','COMPLETED','COMPLETED','CANCELLED','NO_SHOW','SCHEDULED','CONFIRMED'])[i % 10 + 1]::"AppointmentStatus",
           date_trunc('hour', now()) - interval '300 days' + (i / 20) * interval '3 hours',
           date_trunc('hour', now()) - interval '300 days' + (i / 20) * interval '3 hours' + interval '1 hour',
           tt."defaultPrice", 'INR', 'rb-' || i, 'appointment/bench/' || i, now(), now()
      FROM generate_series(0, ${appointments - 1}) i
      JOIN pr ON pr.k = i % 20 JOIN pt ON pt.k = i % 2000 JOIN tt ON tt.k = i % 8`;
  await prisma.$executeRaw`
    WITH done AS MATERIALIZED (SELECT id, "patientId", "startsAt", row_number() OVER (ORDER BY "startsAt", id) - 1 AS k
                    FROM "Appointment" WHERE "clinicId" = ${id}::uuid AND status = 'COMPLETED')
    INSERT INTO "Payment" (id, "clinicId", "patientId", "appointmentId", amount, currency, method, "refundReason", "idempotencyKey", "createdAt")
    SELECT gen_random_uuid(), ${id}::uuid, done."patientId", CASE WHEN j % 7 = 0 THEN NULL ELSE done.id END,
           CASE WHEN j % 50 = 0 THEN -5.00 ELSE 100.00 + j % 5 END, 'INR',
           (ARRAY['CASH','CARD','UPI','BANK_TRANSFER'])[j % 4 + 1]::"PaymentMethod", CASE WHEN j % 50 = 0 THEN 'bench refund' END,
           'rb-pay-' || j, done."startsAt" + interval '1 hour' + (j % 3) * interval '1 day'
      -- The count as a constant (an init plan), so the join is a hash join on k.
      FROM generate_series(0, ${payments - 1}) j JOIN done ON done.k = j % (SELECT count(*) FROM done)`;
  // Every completed session invoiced as the completion activity does (one issued invoice, one line naming the session), GST 18 % on top.
  await prisma.$executeRaw`
    WITH done AS MATERIALIZED (SELECT id, "patientId", price, "startsAt", row_number() OVER (ORDER BY "startsAt", id) AS k
                    FROM "Appointment" WHERE "clinicId" = ${id}::uuid AND status = 'COMPLETED'),
    inv AS (
      INSERT INTO "Invoice" (id, "clinicId", number, year, sequence, "patientId", "appointmentId", "sourceKey", currency, "taxLabel", "taxRate", "pricesIncludeTax", subtotal, "taxTotal", total, "issuedAt")
      SELECT gen_random_uuid(), ${id}::uuid, 'INV-B-' || k, 2026, k, "patientId", id, 'appointment:' || id, 'INR', 'GST', 18, false, price, round(price * 0.18, 2), price + round(price * 0.18, 2), "startsAt" + interval '1 hour'
        FROM done RETURNING id, "appointmentId", subtotal, "taxTotal", total)
    INSERT INTO "InvoiceLine" (id, "clinicId", "invoiceId", position, kind, description, quantity, "unitPrice", discount, net, tax, total, "appointmentId")
    SELECT gen_random_uuid(), ${id}::uuid, inv.id, 1, 'session', 'Therapy', 1, subtotal, 0, subtotal, "taxTotal", total, "appointmentId" FROM inv`;
  await prisma.$executeRaw`
    INSERT INTO "Expense" (id, "clinicId", category, amount, currency, date, "paymentMethod", "updatedAt")
    SELECT gen_random_uuid(), ${id}::uuid, (ARRAY['rent','supplies','salaries','utilities'])[n % 4 + 1], 1000 + n % 97, 'INR', (now() - (n % 365) * interval '1 day')::date, 'BANK_TRANSFER', now()
      FROM generate_series(1, 2000) n`;
  await prisma.$executeRawUnsafe('ANALYZE');
  const login = await fetch(`${stack.apiUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: owner.email, password: PASSWORD }) });
  if (login.status !== 200) throw new Error(`the bench owner could not sign in: ${login.status}`);
  return { clinicId: id, token: ((await login.json()) as { accessToken: string }).accessToken };
}

export async function benchReports(stack: BenchStack, settings: BenchSettings, log: (line: string) => void): Promise<ReportFigures> {
  log(`reports: seeding ${settings.BENCH_REPORT_APPOINTMENTS} appointments and ${settings.BENCH_REPORT_PAYMENTS} payments in SQL`);
  const started = performance.now();
  const { clinicId, token } = await seedVolume(stack, settings.BENCH_REPORT_APPOINTMENTS, settings.BENCH_REPORT_PAYMENTS);
  const [counts] = await stack.prisma.$queryRaw<Array<{ appointments: number; payments: number }>>`
    SELECT (SELECT count(*)::int FROM "Appointment" WHERE "clinicId" = ${clinicId}::uuid) AS appointments, (SELECT count(*)::int FROM "Payment" WHERE "clinicId" = ${clinicId}::uuid) AS payments`;
  log(`reports: seeded in ${((performance.now() - started) / 1000).toFixed(1)} s; ${settings.BENCH_REPORT_REQUESTS} requests per report`);

  const results: ReportFigures['results'] = [];
  for (const report of REPORTS) {
    const latencies: number[] = [];
    const baseline: number[] = [];
    let errors = 0;
    for (let i = 0; i < settings.BENCH_REPORT_REQUESTS + 3; i++) {
      const t0 = performance.now();
      const res = await fetch(`${stack.apiUrl}${report.path}`, { headers: { authorization: `Bearer ${token}` } });
      await res.arrayBuffer();
      const took = performance.now() - t0;
      if (res.status !== 200) errors++;
      // The same number of trivial indexed SELECTs, one after another, as the plain SQL baseline.
      const b0 = performance.now();
      for (let q = 0; q < report.statements; q++) await stack.prisma.$queryRaw`SELECT id, timezone FROM "Clinic" WHERE id = ${clinicId}::uuid`;
      const baseTook = performance.now() - b0;
      if (i >= 3) {
        latencies.push(took);
        baseline.push(baseTook);
      }
    }
    results.push({ path: report.path, p50: percentile(latencies, 50), p95: percentile(latencies, 95), baselineP50: percentile(baseline, 50), baselineP95: percentile(baseline, 95), errors });
  }
  return { rows: counts!, results };
}

export function reportVerdicts(f: ReportFigures): Verdict[] {
  return [
    { goal: `volume: ${f.rows.appointments} appointments, ${f.rows.payments} payments`, figure: '', baseline: '', met: true },
    ...f.results.map((r) => ({
      goal: r.path.replace('/api/v1/reports/', '').replace(/\?from=2026-01-01&to=2026-12-31/, ' (2026)'),
      figure: `p50 ${ms(r.p50)}, p95 ${ms(r.p95)} (goal < ${GOAL_MS} ms)${r.errors ? `, ${r.errors} non-200` : ''}`,
      baseline: `same-count SELECTs p50 ${ms(r.baselineP50)}, p95 ${ms(r.baselineP95)}; ${ratio(r.p95, r.baselineP95)}`,
      met: r.errors === 0 && r.p95 < GOAL_MS,
    })),
  ];
}
