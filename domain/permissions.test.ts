// Tests run under Node, not in the workflow sandbox the domain import rule protects.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PERMISSIONS, ROLE_PERMISSIONS, ROLE_REACH, type Permission, can } from './permissions';
import { CLINIC_ROLES, PLATFORM_ROLES, ROLES, type Role, isPlatformRole } from './roles';

/** Permissions that act across clinics: only platform staff may hold them. */
const PLATFORM_ONLY: Permission[] = ['clinic:create', 'clinic:list', 'clinic:manage-subscription', 'codec:decode'];

describe('roles', () => {
  test('platform and clinic roles split ROLES without overlap', () => {
    assert.deepEqual([...ROLES].sort(), [...PLATFORM_ROLES, ...CLINIC_ROLES].sort());
    assert.equal(new Set(ROLES).size, ROLES.length);
    for (const role of PLATFORM_ROLES) assert.equal(isPlatformRole(role), true, role);
    for (const role of CLINIC_ROLES) assert.equal(isPlatformRole(role), false, role);
  });
});

describe('permission matrix', () => {
  test('every role has an entry, and every granted permission is a known one, listed once', () => {
    assert.deepEqual(Object.keys(ROLE_PERMISSIONS).sort(), [...ROLES].sort());
    const known = new Set<string>(PERMISSIONS);
    for (const role of ROLES) {
      const granted = ROLE_PERMISSIONS[role];
      for (const p of granted) assert.ok(known.has(p), `${role} holds unknown permission ${p}`);
      assert.equal(new Set(granted).size, granted.length, `${role} lists a permission twice`);
    }
  });

  test('can() agrees with the matrix for every role and permission', () => {
    for (const role of ROLES) {
      for (const p of PERMISSIONS) assert.equal(can(role, p), ROLE_PERMISSIONS[role].includes(p), `${role} ${p}`);
    }
  });

  test('SUPER_ADMIN holds every permission', () => {
    for (const p of PERMISSIONS) assert.ok(can('SUPER_ADMIN', p), p);
  });

  test('platform-only permissions are held by no clinic role', () => {
    for (const role of CLINIC_ROLES) {
      for (const p of PLATFORM_ONLY) assert.equal(can(role, p), false, `${role} must not hold ${p}`);
    }
  });

  test('OPS reads across clinics but changes nothing in them', () => {
    for (const p of ['clinic:list', 'clinic:read', 'staff:read', 'licensing:read', 'audit:read', 'codec:decode'] as const) assert.ok(can('OPS', p), p);
    for (const p of ['clinic:create', 'clinic:update', 'clinic:manage-subscription', 'staff:create', 'staff:update', 'staff:deactivate', 'patient:read', 'patient:create', 'patient:update'] as const) {
      assert.equal(can('OPS', p), false, `OPS must not hold ${p}`);
    }
  });

  test('only CLINIC_ADMIN (and SUPER_ADMIN) manage staff', () => {
    const managers = (role: Role) => (['staff:create', 'staff:update', 'staff:deactivate'] as const).filter((p) => can(role, p));
    assert.deepEqual(managers('CLINIC_ADMIN'), ['staff:create', 'staff:update', 'staff:deactivate']);
    assert.deepEqual(managers('SUPER_ADMIN'), ['staff:create', 'staff:update', 'staff:deactivate']);
    for (const role of ['OPS', 'MANAGER', 'DOCTOR', 'THERAPIST', 'NURSE', 'RECEPTIONIST', 'ACCOUNTANT'] as const) assert.deepEqual(managers(role), [], role);
  });

  test('RECEPTIONIST registers and edits patients but cannot add staff', () => {
    assert.ok(can('RECEPTIONIST', 'patient:create'));
    assert.ok(can('RECEPTIONIST', 'patient:update'));
    assert.ok(can('RECEPTIONIST', 'patient:read'));
    assert.equal(can('RECEPTIONIST', 'staff:create'), false);
    assert.equal(can('RECEPTIONIST', 'staff:update'), false);
    assert.equal(can('RECEPTIONIST', 'clinic:update'), false);
  });

  test('clinicians read and update patients but do not register them', () => {
    for (const role of ['DOCTOR', 'THERAPIST', 'NURSE'] as const) {
      assert.ok(can(role, 'patient:read'), role);
      assert.ok(can(role, 'patient:update'), role);
      assert.equal(can(role, 'patient:create'), false, role);
    }
  });

  test('ACCOUNTANT reads patients but cannot create or update them', () => {
    assert.ok(can('ACCOUNTANT', 'patient:read'));
    assert.equal(can('ACCOUNTANT', 'patient:update'), false);
    assert.equal(can('ACCOUNTANT', 'patient:create'), false);
    assert.equal(can('ACCOUNTANT', 'staff:read'), false);
  });

  test('every clinic role can read its own clinic and licence', () => {
    for (const role of CLINIC_ROLES) {
      assert.ok(can(role, 'clinic:read'), role);
      assert.ok(can(role, 'licensing:read'), role);
    }
  });

  test('only CLINIC_ADMIN among clinic roles updates the clinic, requests licence changes or reads the audit trail', () => {
    for (const p of ['clinic:update', 'licensing:request-change', 'audit:read'] as const) {
      assert.deepEqual(
        CLINIC_ROLES.filter((role) => can(role, p)),
        ['CLINIC_ADMIN'],
        p,
      );
    }
  });

  test('appointments: the front desk books but does not decide reschedules; practitioners ask, admins and managers decide', () => {
    assert.ok(can('RECEPTIONIST', 'appointment:book') && !can('RECEPTIONIST', 'reschedule:decide') && !can('RECEPTIONIST', 'reschedule:request'));
    assert.ok(can('THERAPIST', 'reschedule:request') && !can('THERAPIST', 'reschedule:decide') && !can('THERAPIST', 'appointment:book'));
    for (const role of ['CLINIC_ADMIN', 'MANAGER'] as const) assert.ok(can(role, 'reschedule:decide') && can(role, 'schedule:manage'), role);
    assert.equal(can('OPS', 'appointment:read'), false, 'appointments are patient data: platform ops read workflow histories, not the calendar');
  });

  test('stock and treatment records: inventory managers keep the stock and ask for reorders, admins decide them, clinicians record sessions', () => {
    const holders = (p: Permission) => CLINIC_ROLES.filter((r) => can(r, p)).sort();
    assert.deepEqual(holders('inventory:manage'), ['CLINIC_ADMIN', 'INVENTORY_MANAGER']);
    assert.deepEqual(holders('reorder:decide'), ['CLINIC_ADMIN']);
    assert.deepEqual(holders('reorder:request'), ['CLINIC_ADMIN', 'INVENTORY_MANAGER', 'MANAGER']);
    assert.deepEqual(holders('treatment-record:write'), ['CLINIC_ADMIN', 'DOCTOR', 'NURSE', 'THERAPIST']);
    assert.deepEqual(holders('treatment-record:read'), ['CLINIC_ADMIN', 'DOCTOR', 'MANAGER', 'NURSE', 'THERAPIST']);
    // Stock only: no patient, appointment or clinical record.
    for (const p of ['patient:read', 'appointment:read', 'treatment-record:read', 'payment:read'] as const) assert.equal(can('INVENTORY_MANAGER', p), false, p);
    for (const p of ['treatment-record:read', 'inventory:read', 'inventory:manage'] as const) assert.equal(can('OPS', p), false, p);
  });
});

describe('record reach', () => {
  test('practitioners reach their own records; front desk, managers, accounts and admins the whole clinic', () => {
    assert.deepEqual(Object.keys(ROLE_REACH).sort(), [...ROLES].sort());
    const own = ROLES.filter((r) => ROLE_REACH[r] === 'own').sort();
    assert.deepEqual(own, ['DOCTOR', 'NURSE', 'THERAPIST']);
  });
});
