/**
 * A report as CSV (streamed with csv-stringify, one line per figure: section, item, metric, value)
 * or as a PDF (pdfkit: each table under its title). Both are written straight into a stream.
 */
import { stringify } from 'csv-stringify';
import PDFDocument from 'pdfkit';
import { type Writable } from 'node:stream';
import { type Report } from './reports';

export const CSV_COLUMNS = ['section', 'item', 'metric', 'value'] as const;

/** Streams the report's tables as long-format CSV into `out`; resolves when all was written. */
export function writeReportCsv(report: Report<unknown>, out: Writable): Promise<void> {
  const csv = stringify({ header: true, columns: [...CSV_COLUMNS] });
  const done = new Promise<void>((resolve, reject) => {
    csv.on('error', reject);
    out.on('error', reject);
    out.on('finish', resolve);
  });
  csv.pipe(out);
  for (const table of report.tables) {
    for (const row of table.rows) {
      for (let i = 1; i < table.columns.length; i++) csv.write([table.title, row[0], table.columns[i], row[i] ?? '']);
    }
  }
  csv.end();
  return done;
}

/** Renders several reports (one PDF: the monthly owner report holds two) into `out`. */
export function writeReportPdf(clinicName: string, reports: Array<Report<unknown>>, out: Writable, generatedAt: Date): Promise<void> {
  const doc = new PDFDocument({ size: 'A4', margin: 48, info: { Title: reports.map((r) => r.title).join('; '), Author: 'ClinicFlow' } });
  const done = new Promise<void>((resolve, reject) => {
    doc.on('error', reject);
    out.on('error', reject);
    out.on('finish', resolve);
  });
  doc.pipe(out);
  doc.fontSize(18).text(clinicName);
  doc.fontSize(9).fillColor('#555').text(`Generated ${generatedAt.toISOString()}`).fillColor('#000');
  for (const report of reports) {
    doc.moveDown().fontSize(15).text(report.title);
    for (const table of report.tables) {
      doc.moveDown(0.6).fontSize(12).text(table.title);
      doc.fontSize(9).fillColor('#555').text(table.columns.join('  |  ')).fillColor('#000');
      if (table.rows.length === 0) doc.text('(none)');
      for (const row of table.rows) doc.text(row.map((v) => (v === null ? '-' : String(v))).join('  |  '));
    }
  }
  doc.end();
  return done;
}
