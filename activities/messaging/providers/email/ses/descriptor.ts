/** Amazon SES v2 as the API and the seed see it: credential schema and secret fields. No SDK. */
import { z } from 'zod';
import { type ProviderDescriptor } from '../../types';

const sesCredentials = z.object({
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'An AWS region such as eu-west-1'),
  accessKeyId: z.string().regex(/^[A-Z0-9]{16,128}$/, 'An AWS access key id such as AKIA…'),
  secretAccessKey: z.string().min(1),
  fromAddress: z.email(),
  fromName: z.string().min(1).max(200).optional(),
  configurationSetName: z.string().min(1).max(64).optional(),
});
export type SesCredentials = z.output<typeof sesCredentials>;

export const sesDescriptor: ProviderDescriptor<'email', SesCredentials> = {
  provider: 'ses',
  channel: 'email',
  label: 'Amazon SES',
  credentials: sesCredentials,
  secretFields: ['secretAccessKey'],
};
