/**
 * Where the well-known mail services take SMTP submissions, so a clinic admin picks "gmail" instead
 * of looking up host, port and TLS mode. Explicit host/port/secure in the credentials still win.
 */
export const SMTP_PRESET_NAMES = ['gmail', 'outlook', 'sendgrid', 'mailgun', 'postmark', 'zeptomail'] as const;
export type SmtpPresetName = (typeof SMTP_PRESET_NAMES)[number];

export interface SmtpPreset {
  host: string;
  port: number;
  /** true: TLS from the first byte (port 465); false: plain connection upgraded with STARTTLS. */
  secure: boolean;
}

export const SMTP_PRESETS: Record<SmtpPresetName, SmtpPreset> = {
  gmail: { host: 'smtp.gmail.com', port: 465, secure: true },
  outlook: { host: 'smtp.office365.com', port: 587, secure: false },
  sendgrid: { host: 'smtp.sendgrid.net', port: 587, secure: false },
  mailgun: { host: 'smtp.mailgun.org', port: 587, secure: false },
  postmark: { host: 'smtp.postmarkapp.com', port: 587, secure: false },
  zeptomail: { host: 'smtp.zeptomail.com', port: 587, secure: false },
};
