/**
 * Codec server for the Temporal Web UI: payloads in Temporal are AES-GCM ciphertext; the UI sends
 * them here to be shown decrypted to an authorised operator. Two ways to authenticate:
 *  - Authorization: Bearer <access token> (a UI with single sign-on that passes its token), or
 *  - a codec session URL, POST /api/v1/codec/sessions, pasted into the UI's "Codec Server"
 *    setting: /codec/s/<session token>; the token is short-lived and tied to the operator.
 * Either way the operator needs the codec:decode permission, checked on every call.
 */
import cors from 'cors';
import { type Request, type RequestHandler, Router } from 'express';
import { type Payload } from '@temporalio/common';
import { can } from '../../domain/permissions';
import { EncryptionCodec } from '../../temporal-config/encryption-codec';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { type ApiRouter } from '../http/route';
import { z } from '../openapi/zod';
import { writeAudit } from '../services/audit';
import { signJwt, verifyAccessToken, verifyJwt } from '../services/tokens';
import { tokenSettings } from './auth';
import { text } from '../../domain/text';

const CODEC_AUDIENCE = 'clinicflow-codec';

const jsonPayloads = z.object({
  payloads: z.array(z.object({ metadata: z.record(text(), text()).optional(), data: text().optional() })),
});
type JsonPayload = z.infer<typeof jsonPayloads>['payloads'][number];

// The UI speaks protobuf JSON: bytes fields are base64 strings.
const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

export function codecServer({ config, prisma, logger }: ApiDeps): Router {
  const codec = new EncryptionCodec(config.PAYLOAD_ENCRYPTION_KEYS, config.PAYLOAD_ENCRYPTION_KEY_ID);
  const settings = tokenSettings({ config });

  async function operatorOf(req: Request): Promise<string> {
    const sessionToken = typeof req.params.session === 'string' ? req.params.session : undefined;
    let userId: string | undefined;
    if (sessionToken) {
      const claims = verifyJwt(settings, sessionToken, CODEC_AUDIENCE);
      userId = typeof claims?.sub === 'string' ? claims.sub : undefined;
    } else {
      const [scheme, token] = (req.header('authorization') ?? '').split(' ');
      if (scheme?.toLowerCase() === 'bearer' && token) userId = verifyAccessToken(settings, token)?.userId;
    }
    if (!userId) throw ApiError.unauthorized();
    const user = await prisma.staffUser.findUnique({ where: { id: userId }, select: { active: true, role: true } });
    if (!user?.active || !can(user.role, 'codec:decode')) throw ApiError.forbidden();
    return userId;
  }

  const handle = (direction: 'encode' | 'decode'): RequestHandler => async (req, res) => {
    const operator = await operatorOf(req);
    const parsed = jsonPayloads.safeParse(req.body);
    if (!parsed.success) throw ApiError.badRequest('VALIDATION_ERROR', 'Expected { payloads: [...] }');
    const payloads = parsed.data.payloads.map(fromJson);
    let result: Payload[];
    try {
      result = direction === 'decode' ? await codec.decode(payloads) : await codec.encode(payloads);
    } catch {
      // Tampered or truncated ciphertext, a key id no longer in the ring: bad input, not a server fault.
      throw ApiError.unprocessable('UNDECODABLE_PAYLOAD', `A payload could not be ${direction}d: it is corrupt or its key is not in the key ring`);
    }
    // Who read decrypted payloads is worth knowing; what they read is not logged.
    logger.info({ operator, direction, count: payloads.length, namespace: req.header('x-namespace') }, 'codec request');
    res.json({ payloads: result.map(toJson) });
  };

  const router = Router();
  router.use(
    cors({
      origin: config.CODEC_CORS_ORIGINS,
      credentials: true,
      allowedHeaders: ['Content-Type', 'X-Namespace', 'Authorization'],
      methods: ['POST', 'OPTIONS'],
    }),
  );
  for (const direction of ['encode', 'decode'] as const) {
    router.post(`/${direction}`, handle(direction));
    router.post(`/s/:session/${direction}`, handle(direction));
  }
  return router;
}

/** POST /api/v1/codec/sessions: a personal codec URL for the Temporal UI, valid for CODEC_SESSION_TTL_SECONDS. */
export function codecSessionRoutes(r: ApiRouter, { config, prisma }: ApiDeps): ApiRouter {
  const settings = tokenSettings({ config });
  return r.route({
    method: 'post',
    path: '/sessions',
    summary: 'Create a codec server URL for the Temporal Web UI (ops)',
    description: "Paste the returned endpoint into the Temporal UI's Codec Server setting to see workflow payloads decrypted.",
    access: 'codec:decode',
    responses: { 201: { description: 'Codec session', schema: z.object({ endpoint: text(), expiresAt: text() }).openapi('CodecSession') } },
    handler: async (_input, req, res) => {
      const ttl = config.CODEC_SESSION_TTL_SECONDS;
      const token = signJwt(settings, { sub: req.auth!.userId }, CODEC_AUDIENCE, ttl);
      const base = config.PUBLIC_API_URL ?? `http://localhost:${config.API_PORT}`;
      await writeAudit(prisma, req, { action: 'codec.session', entityType: 'StaffUser', entityId: req.auth!.userId, clinicId: null });
      res.status(201).json({ endpoint: `${base}/codec/s/${token}`, expiresAt: new Date(Date.now() + ttl * 1000).toISOString() });
    },
  });
}

