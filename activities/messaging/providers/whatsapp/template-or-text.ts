import { ProviderError } from '../provider-error';
import { type WhatsAppMessage } from '../types';

/** Exactly one of template and text (types.ts): checked by every WhatsApp connector before any request, because the type cannot say it. */
export function assertTemplateXorText(message: WhatsAppMessage, label: string): void {
  if ((message.template === undefined) === (message.text === undefined)) {
    throw new ProviderError('REJECTED', 'whatsapp:template-xor-text', `${label}: a WhatsApp message needs exactly one of template and text`);
  }
}
