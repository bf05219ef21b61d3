/**
 * Demo data for progress reports: the demo clinic's physiotherapy report template (pain and
 * mobility scores, observations, home exercises, a goal), so a newcomer can write and sign a
 * report after completing a session. Idempotent: the template's (clinic, name) is unique.
 */
import { type TemplateSection } from '../domain/progress-reports';
import { type PrismaClient } from './client';

export const DEMO_REPORT_TEMPLATE_NAME = 'Physiotherapy progress';

const SECTIONS: TemplateSection[] = [
  {
    key: 'assessment',
    title: 'Assessment',
    fields: [
      { key: 'pain', label: 'Pain level', type: 'scale', required: true },
      { key: 'mobility', label: 'Mobility', type: 'scale', required: true },
      { key: 'observations', label: 'Observations', type: 'text', required: false },
    ],
  },
  {
    key: 'plan',
    title: 'Plan',
    fields: [
      { key: 'homeExercises', label: 'Home exercises given', type: 'checkbox', required: false },
      { key: 'walkUnaided', label: 'Walk 500 m unaided', type: 'goal', required: true },
    ],
  },
];

export async function ensureDemoReportTemplate(prisma: PrismaClient, clinicId: string): Promise<void> {
  const physio = await prisma.therapyType.findFirst({ where: { clinicId, name: 'Physiotherapy' }, select: { id: true } });
  await prisma.progressReportTemplate.createMany({
    data: [{ clinicId, name: DEMO_REPORT_TEMPLATE_NAME, therapyTypeId: physio?.id ?? null, sections: SECTIONS }],
    skipDuplicates: true,
  });
}
