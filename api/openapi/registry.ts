import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { errorEnvelopeSchema } from '../schemas/common';

export function createOpenApiRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  registry.register('ErrorEnvelope', errorEnvelopeSchema);
  return registry;
}

export function generateOpenApiDocument(registry: OpenAPIRegistry, serverUrl: string) {
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'ClinicFlow API',
      version: '1.0.0',
      description:
        'Staff API of ClinicFlow. Errors use one envelope: { success: false, error: { code, message, details?, timestamp, path } }. ' +
        'Platform staff (SUPER_ADMIN, OPS) name the clinic they act on with the X-Clinic-Id header.',
    },
    servers: [{ url: serverUrl }],
  });
}
