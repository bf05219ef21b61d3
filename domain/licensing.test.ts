import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type LicenseLimits, licenseStatus, percentOf, planLicenseAlerts, usagePercent, wouldExceed } from './licensing';

const limits: LicenseLimits = { maxStaff: 10, maxPatients: 100, maxAppointmentsPerMonth: 1000 };
const usage = (staff: number, patients = 0, appointments = 0) => ({ staff, patients, appointments });

describe('licence thresholds', () => {
  test('percent is rounded down so 79.9 % does not count as 80 %', () => {
    assert.equal(percentOf(799, 1000), 79);
    assert.equal(percentOf(800, 1000), 80);
    assert.equal(percentOf(0, 0), 0);
    assert.equal(percentOf(1, 0), 100);
  });

  test('status is the worst level over all metrics', () => {
    assert.equal(licenseStatus(usage(7, 79), limits), 'OK');
    assert.equal(licenseStatus(usage(8, 10), limits), 'WARNING');
    assert.equal(licenseStatus(usage(1, 100), limits), 'EXCEEDED');
    assert.deepEqual(usagePercent(usage(8, 50, 1), limits), { STAFF: 80, PATIENTS: 50, APPOINTMENTS: 0 });
  });

  test('adding one more beyond the limit is refused, reaching it is not', () => {
    assert.equal(wouldExceed(9, 10), false);
    assert.equal(wouldExceed(10, 10), true);
  });
});

describe('planLicenseAlerts', () => {
  test('raises a warning when 80 % is crossed', () => {
    const plan = planLicenseAlerts(usage(8), limits, []);
    assert.deepEqual(plan.raise, [{ metric: 'STAFF', level: 'WARNING', usage: 8, limit: 10, percent: 80 }]);
    assert.deepEqual(plan.clear, []);
  });

  test('raises nothing while the same alert is still open', () => {
    const plan = planLicenseAlerts(usage(9), limits, [{ metric: 'STAFF', level: 'WARNING' }]);
    assert.deepEqual(plan, { raise: [], clear: [] });
  });

  test('jumping straight past 100 % raises both levels once', () => {
    const plan = planLicenseAlerts(usage(0, 120), limits, []);
    assert.deepEqual(
      plan.raise.map((a) => [a.metric, a.level]),
      [
        ['PATIENTS', 'WARNING'],
        ['PATIENTS', 'EXCEEDED'],
      ],
    );
  });

  test('falling back below a threshold clears its alert so the next crossing raises again', () => {
    const open = [
      { metric: 'PATIENTS' as const, level: 'WARNING' as const },
      { metric: 'PATIENTS' as const, level: 'EXCEEDED' as const },
    ];
    const down = planLicenseAlerts(usage(0, 85), limits, open);
    assert.deepEqual(down.raise, []);
    assert.deepEqual(down.clear, [{ metric: 'PATIENTS', level: 'EXCEEDED' }]);
    const again = planLicenseAlerts(usage(0, 100), limits, [{ metric: 'PATIENTS', level: 'WARNING' }]);
    assert.deepEqual(again.raise.map((a) => a.level), ['EXCEEDED']);
  });
});
