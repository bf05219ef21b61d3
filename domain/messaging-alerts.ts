/**
 * Messaging alerts: which incidents a clinic's messaging has right now, decided from a snapshot of
 * its delivery log, circuits and probes. Pure, so the monitor's rules are tested without servers;
 * the monitor activity loads the snapshot and applies the plan. One alert per incident: a condition
 * that holds on the next check keeps its open alert, it never raises a second.
 */
import { type Channel } from './messaging';

export const MESSAGING_ALERT_KINDS = ['CIRCUIT_OPEN', 'CHANNEL_SILENT', 'CREDENTIALS_REJECTED', 'BOUNCE_RATE', 'RATE_LIMIT_NEAR'] as const;
export type MessagingAlertKind = (typeof MESSAGING_ALERT_KINDS)[number];

/** A channel that accepted nothing for this long while messages wait is silent. */
export const SILENCE_MS = 10 * 60 * 1000;
/** A PENDING or SENDING message older than this is waiting (younger ones are simply in flight). */
export const STUCK_MS = 10 * 60 * 1000;
/** The 24-hour bounce rate above which a channel is alerted… */
export const BOUNCE_RATE_LIMIT = 0.1;
/** …once at least this many messages went out, so 1 bounce in 3 messages is not an incident. */
export const BOUNCE_MIN_SAMPLE = 20;
/** Share of the daily send limit at which the clinic is warned. */
export const RATE_LIMIT_WARN_SHARE = 0.8;

export interface EntrySnapshot {
  channel: Channel;
  entryId: string;
  label: string;
  /** A platform (global) entry: its trouble is everyone's, so ops hear of it too. */
  global: boolean;
  circuit: 'CLOSED' | 'OPEN' | 'HALF_OPEN';
  /** The newest probe or send attempt of the entry, whichever is later. */
  latest: { ok: boolean; errorKind: string | null } | null;
}

export interface ChannelSnapshot {
  channel: Channel;
  /** Messages RETRYING, or PENDING/SENDING for longer than STUCK_MS, that may go out on the channel. */
  waiting: number;
  /** When the channel last had an attempt accepted (null: never). */
  lastAcceptedAtMs: number | null;
  /** Messages that went out on the channel in the last 24 h (DELIVERED, READ or BOUNCED) and how many bounced. */
  sent24h: number;
  bounced24h: number;
  /** The clinic's daily limit for the channel, and today's count in that window. */
  perDayLimit: number | null;
  todayCount: number;
}

export interface OpenAlert {
  id: string;
  kind: MessagingAlertKind;
  channel: Channel;
  entryId: string;
}

export interface MessagingSnapshot {
  nowMs: number;
  entries: EntrySnapshot[];
  channels: ChannelSnapshot[];
  open: OpenAlert[];
}

/** Figures that explain an alert: counts and rates only, never an address or message content. */
export type AlertDetails = Record<string, string | number | boolean | null>;

export interface MessagingAlertToRaise {
  kind: MessagingAlertKind;
  channel: Channel;
  /** '' for a whole channel. */
  entryId: string;
  label: string;
  global: boolean;
  details: AlertDetails;
}

export interface MessagingAlertPlan {
  raise: MessagingAlertToRaise[];
  /** Ids of open alerts whose condition no longer holds. */
  resolve: string[];
}

const keyOf = (a: { kind: string; channel: string; entryId: string }) => `${a.kind}|${a.channel}|${a.entryId}`;

/** Every incident the snapshot shows, open or not. */
export function currentIncidents(s: MessagingSnapshot): MessagingAlertToRaise[] {
  const incidents: MessagingAlertToRaise[] = [];
  for (const e of s.entries) {
    const base = { channel: e.channel, entryId: e.entryId, label: e.label, global: e.global };
    if (e.circuit !== 'CLOSED') incidents.push({ ...base, kind: 'CIRCUIT_OPEN', details: { circuit: e.circuit } });
    if (e.latest && !e.latest.ok && e.latest.errorKind === 'AUTH') incidents.push({ ...base, kind: 'CREDENTIALS_REJECTED', details: { errorKind: 'AUTH' } });
  }
  for (const c of s.channels) {
    const base = { channel: c.channel, entryId: '', label: c.channel, global: false };
    const silentSince = c.lastAcceptedAtMs;
    if (c.waiting > 0 && (silentSince === null || s.nowMs - silentSince >= SILENCE_MS)) {
      incidents.push({ ...base, kind: 'CHANNEL_SILENT', details: { waiting: c.waiting, lastAcceptedAt: silentSince === null ? null : new Date(silentSince).toISOString() } });
    }
    if (c.sent24h >= BOUNCE_MIN_SAMPLE && c.bounced24h > c.sent24h * BOUNCE_RATE_LIMIT) {
      incidents.push({ ...base, kind: 'BOUNCE_RATE', details: { sent: c.sent24h, bounced: c.bounced24h, rate: Math.round((c.bounced24h / c.sent24h) * 1000) / 1000 } });
    }
    if (c.perDayLimit && c.todayCount >= c.perDayLimit * RATE_LIMIT_WARN_SHARE) {
      incidents.push({ ...base, kind: 'RATE_LIMIT_NEAR', details: { todayCount: c.todayCount, perDay: c.perDayLimit } });
    }
  }
  return incidents;
}

/** Incidents without an open alert are raised; open alerts without an incident are resolved. */
export function planMessagingAlerts(s: MessagingSnapshot): MessagingAlertPlan {
  const incidents = currentIncidents(s);
  const openKeys = new Set(s.open.map(keyOf));
  const incidentKeys = new Set(incidents.map(keyOf));
  return {
    raise: incidents.filter((i) => !openKeys.has(keyOf(i))),
    resolve: s.open.filter((a) => !incidentKeys.has(keyOf(a))).map((a) => a.id),
  };
}

/**
 * Channels for an alert to an admin: another channel than the failing one first, where the clinic
 * has it and the admin can be reached on it; the delivery chain itself skips open circuits.
 */
export function alertChannels(incidentChannel: Channel, smsServed: boolean, adminHasPhone: boolean): Channel[] {
  const sms = smsServed && adminHasPhone;
  if (incidentChannel === 'email') return sms ? ['sms', 'email'] : ['email'];
  return sms && incidentChannel !== 'sms' ? ['email', 'sms'] : ['email'];
}
