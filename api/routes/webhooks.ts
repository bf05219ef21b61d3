/**
 * Callbacks from messaging vendors: delivery statuses, inbound STOP/START replies, SES bounces and
 * complaints. No staff token here (vendors cannot hold one); each request is trusted only after its
 * signature checks out with the secret of the clinic named in the path (or, for SNS, with AWS's
 * certificate, and only from the topics in SES_SNS_TOPIC_ARNS), and nothing is read beyond that
 * secret or written before. Forgeries get 401 (403 for Meta's handshake, as Meta expects, and for
 * SNS topics not ours) and change nothing. Known-good callbacks about messages we do not know
 * still answer 200: vendors retry anything else.
 * Each vendor's scheme lives in api/webhooks/<vendor>.ts; the writes in api/webhooks/apply.ts.
 */
import express, { type Response } from 'express';
import { CredentialCipher } from '../../prisma/credential-cipher';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { type ApiRouter } from '../http/route';
import { z } from '../openapi/zod';
import { clinicIdParams } from '../schemas/common';
import { applyEvents, applySesFeedback } from '../webhooks/apply';
import { MESSAGEBIRD_SIGNATURE_HEADER, parseMessageBird, verifyMessageBird } from '../webhooks/messagebird';
import { metaChallenge, parseMeta, verifyMetaSignature } from '../webhooks/meta';
import { publicUrl } from '../webhooks/public-url';
import { keepRawBody, rawBodyOf } from '../webhooks/raw-body';
import { invalidSignature, requireSigningSecrets } from '../webhooks/secrets';
import { isSnsCertificateUrl, isSnsUrl, parseSesFeedback, snsMessageSchema, snsSignatureMatches } from '../webhooks/sns';
import { confirmSnsSubscription, fetchSnsCertificate } from '../webhooks/sns-fetch';
import { formParams, parseTwilio, verifyTwilio } from '../webhooks/twilio';
import { parseVonage, verifyVonage } from '../webhooks/vonage';
import { parseVonageSms, receiptParams, verifyVonageSms, vonageSmsKeys } from '../webhooks/vonage-sms';
import { text } from '../../domain/text';

const received = z.object({ received: z.literal(true) });
const acknowledge = (res: Response) => void res.json({ received: true });
/** Twilio reads the answer to an inbound message as TwiML: an empty one sends no reply. */
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

const metaHandshakeQuery = z.object({
  'hub.mode': text().optional(),
  'hub.verify_token': text().optional(),
  'hub.challenge': text().max(256).optional(),
});

const notFound = { 404: { description: 'No such clinic, or it has no webhook secret for this provider (the two are not told apart)' } };
const unauthorized = { 401: { description: 'Signature missing, invalid or stale; nothing was changed' } };

export function webhookRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  const { config, prisma } = deps;
  const cipher = new CredentialCipher(config.CREDENTIAL_ENCRYPTION_KEYS, config.CREDENTIAL_ENCRYPTION_KEY_ID);
  const fetchCertificate = deps.fetchSnsCertificate ?? fetchSnsCertificate;
  const confirmSubscription = deps.confirmSnsSubscription ?? confirmSnsSubscription;
  const topics = new Set(config.SES_SNS_TOPIC_ARNS);
  const secretsOf = async (clinicId: string, provider: string, field: string) => requireSigningSecrets(prisma, cipher, clinicId, provider, field);
  // The global JSON parser runs first (and keeps raw bytes); these cover the other formats vendors send.
  const form = express.urlencoded({ extended: false, limit: '100kb', verify: keepRawBody });
  const snsText = express.text({ type: 'text/plain', limit: '256kb' });

  r
    .route({
      method: 'post',
      path: '/twilio/:clinicId',
      summary: 'Twilio status callback or inbound SMS/WhatsApp message',
      description: 'Form-encoded, as Twilio sends it; X-Twilio-Signature is checked against the clinic\'s Twilio auth token and PUBLIC_API_URL + this path. Answers empty TwiML.',
      access: 'public',
      params: clinicIdParams,
      before: [form],
      responses: { 200: { description: 'Accepted (empty TwiML)' }, ...unauthorized, ...notFound },
      handler: async ({ params }, req, res) => {
        const tokens = (await secretsOf(params.clinicId, 'twilio', 'authToken')).map((s) => s.secret);
        const body = formParams(req.body);
        if (!verifyTwilio(tokens, req.get('x-twilio-signature'), publicUrl(config, req), body)) throw invalidSignature();
        await applyEvents(prisma, params.clinicId, 'twilio', parseTwilio(body));
        res.type('text/xml').send(EMPTY_TWIML);
      },
    })
    .route({
      method: 'get',
      path: '/meta/:clinicId',
      summary: "Meta's webhook verification handshake",
      description: "Echoes hub.challenge as text when hub.verify_token is the clinic's webhookVerifyToken; 403 otherwise.",
      access: 'public',
      params: clinicIdParams,
      query: metaHandshakeQuery,
      responses: { 200: { description: 'The challenge, as text/plain' }, 403: { description: 'Wrong or missing verify token' }, ...notFound },
      handler: async ({ params, query }, _req, res) => {
        const tokens = (await secretsOf(params.clinicId, 'meta', 'webhookVerifyToken')).map((s) => s.secret);
        const challenge = metaChallenge(tokens, { mode: query['hub.mode'], token: query['hub.verify_token'], challenge: query['hub.challenge'] });
        if (challenge === null) throw ApiError.forbidden('VERIFY_TOKEN_MISMATCH', 'The verify token does not match');
        // text/plain, never HTML: the challenge is caller-supplied.
        res.type('text/plain').send(challenge);
      },
    })
    .route({
      method: 'post',
      path: '/meta/:clinicId',
      summary: 'Meta WhatsApp Cloud API events (statuses, inbound messages)',
      description: "JSON; X-Hub-Signature-256 (sha256=HMAC of the raw body) is checked with the clinic's Meta appSecret. Only events for the clinic's own phone number ids are applied.",
      access: 'public',
      params: clinicIdParams,
      responses: { 200: { description: 'Accepted', schema: received }, ...unauthorized, ...notFound },
      handler: async ({ params }, req, res) => {
        const entries = await secretsOf(params.clinicId, 'meta', 'appSecret');
        if (!verifyMetaSignature(entries.map((e) => e.secret), rawBodyOf(req), req.get('x-hub-signature-256'))) throw invalidSignature();
        const numbers = new Set(entries.map((e) => e.settings.phoneNumberId).filter((id): id is string => typeof id === 'string'));
        await applyEvents(prisma, params.clinicId, 'meta', parseMeta(req.body, numbers));
        acknowledge(res);
      },
    })
    .route({
      method: 'post',
      path: '/vonage/:clinicId',
      summary: 'Vonage Messages API status or inbound message',
      description: "JSON; the Authorization Bearer JWT (HS256) is checked with the clinic's Vonage signatureSecret, and its payload_hash with the body.",
      access: 'public',
      params: clinicIdParams,
      responses: { 200: { description: 'Accepted', schema: received }, ...unauthorized, ...notFound },
      handler: async ({ params }, req, res) => {
        const secrets = (await secretsOf(params.clinicId, 'vonage', 'signatureSecret')).map((s) => s.secret);
        if (!verifyVonage(secrets, req.get('authorization'), rawBodyOf(req))) throw invalidSignature();
        await applyEvents(prisma, params.clinicId, 'vonage', parseVonage(req.body));
        acknowledge(res);
      },
    });

  function messageBird(method: 'get' | 'post') {
    r.route({
      method,
      path: '/messagebird/:clinicId',
      summary: `MessageBird status report, inbound SMS or Conversations (WhatsApp) event (${method.toUpperCase()})`,
      description: "Parameters in the query string, a form or JSON body; MessageBird-Signature-JWT is checked with the clinic's MessageBird signingKey (url_hash over PUBLIC_API_URL + this path and query, payload_hash over the body).",
      access: 'public',
      params: clinicIdParams,
      before: [form],
      responses: { 200: { description: 'Accepted', schema: received }, ...unauthorized, ...notFound },
      handler: async ({ params }, req, res) => {
        const keys = (await secretsOf(params.clinicId, 'messagebird', 'signingKey')).map((s) => s.secret);
        if (!(await verifyMessageBird(keys, req.get(MESSAGEBIRD_SIGNATURE_HEADER), publicUrl(config, req), rawBodyOf(req)))) throw invalidSignature();
        // Status reports come as query parameters or a body; the signature covered both.
        const body: unknown = req.body;
        await applyEvents(prisma, params.clinicId, 'messagebird', parseMessageBird({ ...req.query, ...(typeof body === 'object' && body !== null ? body : {}) }));
        acknowledge(res);
      },
    });
  }
  messageBird('get');
  messageBird('post');

  function vonageSms(method: 'get' | 'post') {
    r.route({
      method,
      path: '/vonage-sms/:clinicId',
      summary: `Vonage SMS API delivery receipt (${method.toUpperCase()})`,
      description:
        "Parameters in the query string, a form or JSON body, as the Vonage account's delivery receipt settings say. Only signed receipts are accepted: sig is checked over every other parameter with the signatureSecret and signatureMethod (md5hash unless set) of the clinic's Vonage SMS entry, and the signed timestamp must be less than 24 hours old.",
      access: 'public',
      params: clinicIdParams,
      before: [form],
      responses: { 200: { description: 'Accepted', schema: received }, ...unauthorized, ...notFound },
      handler: async ({ params }, req, res) => {
        const keys = vonageSmsKeys(await secretsOf(params.clinicId, 'vonage', 'signatureSecret'));
        // A clinic with Vonage for WhatsApp only has no SMS API receipts: the same 404 as no Vonage at all.
        if (keys.length === 0) throw ApiError.notFound('Webhook');
        // One set of parameters is both checked and read: nothing unsigned can slip into the update.
        const receipt = receiptParams(req.query, req.body);
        if (!receipt || !verifyVonageSms(keys, receipt)) throw invalidSignature();
        await applyEvents(prisma, params.clinicId, 'vonage', parseVonageSms(receipt));
        acknowledge(res);
      },
    });
  }
  vonageSms('get');
  vonageSms('post');

  return r.route({
    method: 'post',
    path: '/ses',
    summary: 'Amazon SES bounce, complaint and delivery notifications through SNS',
    description:
      'An SNS HTTPS subscription (SubscriptionConfirmation, Notification, UnsubscribeConfirmation; JSON sent as text/plain). The SNS signature is checked with the certificate at SigningCertURL, which must be on https://sns.<region>.amazonaws.com. When SES_SNS_TOPIC_ARNS is set, messages of any other topic are refused with 403 UNKNOWN_TOPIC. Subscriptions are confirmed automatically. Hard bounces and complaints suppress the address for the clinic that sent the message.',
    access: 'public',
    before: [snsText],
    responses: {
      200: { description: 'Accepted', schema: received },
      ...unauthorized,
      403: { description: 'The message is from an SNS topic not in SES_SNS_TOPIC_ARNS (not confirmed, nothing changed)' },
      503: { description: "AWS's certificate or subscription endpoint could not be reached; SNS retries" },
    },
    handler: async (_input, req, res) => {
      const body: unknown = req.body;
      let json: unknown = body;
      if (typeof body === 'string') {
        try {
          json = JSON.parse(body);
        } catch {
          throw ApiError.badRequest('INVALID_JSON', 'The request body is not valid JSON');
        }
      }
      const parsed = snsMessageSchema.safeParse(json);
      if (!parsed.success || !isSnsCertificateUrl(parsed.data.SigningCertURL)) throw invalidSignature();
      const message = parsed.data;
      // AWS signs every account's topics alike: the signature proves SNS sent this, not that the topic is
      // ours. Checked before the certificate fetch, so other topics cannot make the API call out at all.
      if (topics.size > 0 && !topics.has(message.TopicArn)) throw ApiError.forbidden('UNKNOWN_TOPIC', 'Messages from this SNS topic are not accepted');
      const certificate = await fetchCertificate(message.SigningCertURL).catch(() => {
        throw new ApiError(503, 'SNS_CERTIFICATE_UNAVAILABLE', "AWS's signing certificate could not be fetched; try again later");
      });
      if (!snsSignatureMatches(message, certificate)) throw invalidSignature();

      if (message.Type === 'SubscriptionConfirmation') {
        if (!message.SubscribeURL || !isSnsUrl(message.SubscribeURL)) throw invalidSignature();
        await confirmSubscription(message.SubscribeURL).catch(() => {
          throw new ApiError(503, 'SNS_CONFIRMATION_FAILED', 'The SNS subscription could not be confirmed; try again later');
        });
      } else if (message.Type === 'Notification') {
        const feedback = parseSesFeedback(message.Message);
        if (feedback) await applySesFeedback(prisma, feedback);
      }
      // UnsubscribeConfirmation: nothing to do; the subscription is already gone.
      // Timestamp is not checked for age: SNS retries for as long as its delivery policy says, and applying
      // the same feedback twice changes nothing.
      acknowledge(res);
    },
  });
}
