/** A progress report as a PDF (pdfkit): the clinic's name on top, then the report's sections as its template lays them out. */
import PDFDocument from 'pdfkit';
import { type ReportValues, type TemplateSection } from '../../domain/progress-reports';

export interface ReportForPdf {
  clinicName: string;
  templateName: string;
  patientName: string;
  practitionerName: string;
  reportedAt: string;
  status: 'DRAFT' | 'SIGNED';
  signedAt: string | null;
  sections: TemplateSection[];
  values: ReportValues;
}

const GOAL_LABELS: Record<string, string> = { NOT_STARTED: 'Not started', IN_PROGRESS: 'In progress', ACHIEVED: 'Achieved', NOT_ACHIEVED: 'Not achieved' };

function shown(type: TemplateSection['fields'][number]['type'], value: unknown): string {
  if (value === undefined || value === null) return '—';
  switch (type) {
    case 'scale':
      return `${String(value)} / 10`;
    case 'checkbox':
      return value ? 'Yes' : 'No';
    case 'goal': {
      const g = value as { status: string; note?: string };
      return g.note ? `${GOAL_LABELS[g.status] ?? g.status}: ${g.note}` : (GOAL_LABELS[g.status] ?? g.status);
    }
    default:
      return String(value);
  }
}

export function renderReportPdf(r: ReportForPdf): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `${r.templateName} — ${r.clinicName}`, Author: r.clinicName } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);

    doc.fontSize(18).text(r.clinicName);
    doc.fontSize(14).text(r.templateName);
    doc.moveDown(0.5).fontSize(10);
    doc.text(`Patient: ${r.patientName}`);
    doc.text(`Practitioner: ${r.practitionerName}`);
    doc.text(`Session: ${r.reportedAt}`);
    doc.text(r.status === 'SIGNED' ? `Signed: ${r.signedAt ?? ''}` : 'DRAFT: not signed');
    for (const section of r.sections) {
      doc.moveDown().fontSize(12).text(section.title, { underline: true });
      doc.fontSize(10);
      for (const field of section.fields) doc.text(`${field.label}: ${shown(field.type, r.values[section.key]?.[field.key])}`);
    }
    doc.end();
  });
}
