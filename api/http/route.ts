/**
 * One declaration per endpoint: its zod schemas validate the request and document it in the
 * OpenAPI registry, and its access rule picks the guards (authentication, permission, tenant,
 * active subscription) that run before the handler.
 */
import { type OpenAPIRegistry, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { type Request, type RequestHandler, type Response, Router } from 'express';
import { type z, type ZodType } from 'zod';
import { type Permission } from '../../domain/permissions';
import { errorEnvelopeSchema } from '../schemas/common';
import { ApiError, type ErrorDetail } from './api-error';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteSpec<P extends z.ZodObject, Q extends z.ZodObject, B extends ZodType> {
  method: Method;
  /** Express path relative to the router, e.g. /patients/:id */
  path: string;
  summary: string;
  description?: string;
  /** 'public': no token. 'authenticated': any signed-in staff. Otherwise: the permission needed. */
  access: 'public' | 'authenticated' | Permission;
  /** Acts on one clinic's data: resolves the clinic, refuses writes when its subscription is inactive. */
  tenant?: boolean;
  params?: P;
  query?: Q;
  body?: B;
  /** Extra headers, documented only (e.g. Idempotency-Key). */
  responses: Record<number, { description: string; schema?: ZodType }>;
  before?: RequestHandler[];
  handler: (input: { params: z.output<P>; query: z.output<Q>; body: z.output<B> }, req: Request, res: Response) => Promise<void>;
}

export interface Guards {
  authenticate: RequestHandler;
  requirePermission: (permission: Permission) => RequestHandler;
  resolveTenant: RequestHandler;
  requireActiveSubscription: RequestHandler;
}

function validationDetails(location: string, error: z.ZodError): ErrorDetail[] {
  return error.issues.map((issue) => ({ path: [location, ...issue.path.map(String)].join('.'), message: issue.message }));
}

function parse<S extends ZodType>(schema: S | undefined, value: unknown, location: string): z.output<S> {
  if (!schema) return undefined as z.output<S>;
  const result = schema.safeParse(value);
  if (!result.success) throw ApiError.badRequest('VALIDATION_ERROR', `Invalid request ${location}`, validationDetails(location, result.error));
  return result.data;
}

const toOpenApiPath = (p: string) => p.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/(.)\/$/, '$1');
const WRITE_METHODS = new Set<Method>(['post', 'put', 'patch', 'delete']);

export class ApiRouter {
  // mergeParams: routers mounted under a path with parameters (/clinics/:clinicId/…) see them.
  readonly router = Router({ mergeParams: true });

  constructor(
    private readonly registry: OpenAPIRegistry,
    private readonly guards: Guards,
    private readonly basePath: string,
    private readonly tag: string,
  ) {}

  route<P extends z.ZodObject, Q extends z.ZodObject, B extends ZodType>(spec: RouteSpec<P, Q, B>): this {
    const chain: RequestHandler[] = [];
    if (spec.access !== 'public') chain.push(this.guards.authenticate);
    if (spec.access !== 'public' && spec.access !== 'authenticated') chain.push(this.guards.requirePermission(spec.access));
    if (spec.tenant) {
      chain.push(this.guards.resolveTenant);
      if (WRITE_METHODS.has(spec.method)) chain.push(this.guards.requireActiveSubscription);
    }
    chain.push(...(spec.before ?? []));
    chain.push(async (req, res) => {
      const input = {
        params: parse(spec.params, req.params, 'params'),
        query: parse(spec.query, req.query, 'query'),
        body: parse(spec.body, req.body, 'body'),
      };
      await spec.handler(input, req, res);
    });
    this.router[spec.method](spec.path, ...chain);
    this.document(spec);
    return this;
  }

  private document<P extends z.ZodObject, Q extends z.ZodObject, B extends ZodType>(spec: RouteSpec<P, Q, B>): void {
    const responses: RouteConfig['responses'] = {};
    for (const [status, r] of Object.entries(spec.responses)) {
      responses[status] = r.schema ? { description: r.description, content: { 'application/json': { schema: r.schema } } } : { description: r.description };
    }
    responses.default = { description: 'Error', content: { 'application/json': { schema: errorEnvelopeSchema } } };
    this.registry.registerPath({
      method: spec.method,
      path: toOpenApiPath(this.basePath + spec.path),
      summary: spec.summary,
      description: spec.description,
      tags: [this.tag],
      security: spec.access === 'public' ? [] : [{ bearerAuth: [] }],
      // Which permission of domain/permissions.ts the route needs, so clients (and the role tests) can tell who may call it.
      ...(spec.access !== 'public' && spec.access !== 'authenticated' ? { 'x-permission': spec.access } : {}),
      request: {
        params: spec.params,
        query: spec.query,
        body: spec.body ? { content: { 'application/json': { schema: spec.body } }, required: true } : undefined,
      },
      responses,
    });
  }
}
