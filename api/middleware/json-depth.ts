import { type RequestHandler } from 'express';
import { ApiError } from '../http/api-error';

/**
 * No request body of this API nests deeper than a few levels; one nested thousands of levels
 * deep overflows the stack of whatever walks it recursively later (validation, serialisation,
 * Prisma). Measured without recursion, right after parsing, for every route.
 */
export const MAX_BODY_DEPTH = 64;

function depthExceeds(root: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth > max) return true;
    for (const child of Object.values(value)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

export const refuseDeepJson: RequestHandler = (req, _res, next) => {
  if (req.body !== null && typeof req.body === 'object' && depthExceeds(req.body, MAX_BODY_DEPTH)) {
    throw ApiError.badRequest('JSON_TOO_DEEP', `The request body nests deeper than ${MAX_BODY_DEPTH} levels`, [{ path: 'body', message: `must not nest deeper than ${MAX_BODY_DEPTH} levels` }]);
  }
  next();
};
