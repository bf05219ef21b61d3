/** Builds the Express app from its dependencies; api/server.ts runs it, tests call it directly. */
import express, { type Express } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import swaggerUi from 'swagger-ui-express';
import { type ApiDeps } from './deps';
import './http/context';
import { ApiError } from './http/api-error';
import { ApiRouter, type Guards } from './http/route';
import { authenticate, requirePermission } from './middleware/auth';
import { errorHandler, notFoundHandler, sendError } from './middleware/errors';
import { loadShedding } from './middleware/load-shedding';
import { apiCors, noStore, securityHeaders } from './middleware/http-protections';
import { refuseDeepJson } from './middleware/json-depth';
import { httpMetrics } from './middleware/metrics';
import { requestId, requestLogging } from './middleware/request-logging';
import { traceRequests } from './observability/request-tracing';
import { requireActiveSubscription, resolveTenant } from './middleware/tenant';
import { createOpenApiRegistry, generateOpenApiDocument } from './openapi/registry';
import { appointmentCalendarRoutes } from './routes/appointment-calendar';
import { auditLogRoutes } from './routes/audit-log';
import { appointmentRoutes } from './routes/appointments';
import { clinicBillingRoutes } from './routes/clinic-billing';
import { notificationSettingsRoutes } from './routes/notification-settings';
import { payRoutes } from './routes/pay';
import { creditNoteRoutes, documentLinkRoutes, invoiceRoutes } from './routes/invoices';
import { paymentReminderRoutes } from './routes/payment-reminders';
import { patientAccountRoutes, paymentRoutes } from './routes/payments';
import { rescheduleRequestRoutes } from './routes/reschedule-requests';
import { stripeWebhookRoutes } from './routes/stripe-webhook';
import { authRoutes, tokenSettings } from './routes/auth';
import { clinicRoutes } from './routes/clinics';
import { codecServer, codecSessionRoutes } from './routes/codec';
import { communicationRoutes } from './routes/communication';
import { communicationInsightsRoutes } from './routes/communication-insights';
import { healthRoutes } from './routes/health';
import { licensingRoutes } from './routes/licensing';
import { messageLogRoutes, sendRoutes } from './routes/messages';
import { patientRoutes } from './routes/patients';
import { packagePlanRoutes } from './routes/package-plans';
import { packagePayRoutes, patientPackageListRoutes, patientPackageRoutes, subscriptionBookingRoutes } from './routes/patient-packages';
import { practitionerRoutes } from './routes/practitioners';
import { staffRoutes } from './routes/staff';
import { therapyTypeRoutes } from './routes/therapy-types';
import { twoFactorRoutes } from './routes/two-factor';
import { signInSubject } from './services/two-factor';
import { treatmentCategoryRoutes } from './routes/treatment-categories';
import { treatmentRecordRoutes } from './routes/treatment-records';
import { inventoryRoutes } from './routes/inventory';
import { reorderRequestRoutes } from './routes/reorder-requests';
import { expenseRoutes } from './routes/expenses';
import { reportLinkRoutes, reportRoutes } from './routes/reports';
import { webhookRoutes } from './routes/webhooks';
import { meRoutes } from './routes/me';
import { patientTimelineRoutes } from './routes/patient-timeline';
import { progressReportTemplateRoutes } from './routes/progress-report-templates';
import { progressReportRoutes } from './routes/progress-reports';
import { reportDownloadRoutes } from './routes/report-downloads';
import { keepRawBody } from './webhooks/raw-body';

export const API_PREFIX = '/api/v1';

export function createApp(deps: ApiDeps): Express {
  const { config, prisma, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  // Nobody unless TRUST_PROXY names them: a trusted X-Forwarded-For decides req.ip, and with it the login limits.
  app.set('trust proxy', config.TRUST_PROXY);

  app.use(requestId);
  app.use(traceRequests);
  app.use(requestLogging(logger));
  app.use(httpMetrics(deps.metrics));
  app.use(loadShedding(config.API_MAX_IN_FLIGHT));
  app.use(securityHeaders);
  app.use(healthRoutes(deps));
  app.use([API_PREFIX, '/codec'], noStore);
  app.use(API_PREFIX, apiCors(config));
  // keepRawBody: webhook signatures cover the exact bytes received, which parsing loses.
  app.use(express.json({ limit: '1mb', verify: keepRawBody }));
  app.use(refuseDeepJson);
  app.use('/codec', codecServer(deps));

  const guards: Guards = {
    authenticate: authenticate(prisma, tokenSettings(deps)),
    requirePermission,
    resolveTenant: resolveTenant(prisma),
    requireActiveSubscription: requireActiveSubscription(prisma),
  };
  const registry = createOpenApiRegistry();
  const mount = (path: string, tag: string, build: (r: ApiRouter) => ApiRouter) => {
    app.use(API_PREFIX + path, build(new ApiRouter(registry, guards, API_PREFIX + path, tag)).router);
  };

  // Per IP and email: slows password guessing against one account without locking out a clinic behind one NAT.
  const loginLimiter = rateLimit({
    windowMs: 15 * 60 * 1000,
    limit: config.LOGIN_RATE_LIMIT_PER_15_MIN,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => `${ipKeyGenerator(req.ip ?? '')}|${signInSubject(req)}`,
    handler: (req, res) => sendError(req, res, new ApiError(429, 'RATE_LIMITED', 'Too many sign-in attempts; try again later')),
  });

  // Per client across every email: password spraying (one guess against many accounts). Only failures count,
  // so the staff of a clinic behind one address can all sign in.
  const sprayLimiter = rateLimit({
    windowMs: 15 * 60 * 1000,
    limit: config.LOGIN_FAILURES_PER_CLIENT_PER_15_MIN,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? ''),
    handler: (req, res) => sendError(req, res, new ApiError(429, 'RATE_LIMITED', 'Too many failed sign-in attempts from this client; try again later')),
  });

  mount('/auth', 'Auth', (r) => authRoutes(r, deps, [sprayLimiter, loginLimiter]));
  // Its password and code checks are sign-in attempts too: the same limits.
  mount('/auth/two-factor', 'Auth', (r) => twoFactorRoutes(r, deps, [sprayLimiter, loginLimiter]));
  mount('/clinics', 'Clinics', (r) => clinicRoutes(r, deps));
  // Before communicationRoutes: its /:channel would otherwise take /stats and /health for channels.
  mount('/clinics/:clinicId/communication', 'Communication', (r) => communicationInsightsRoutes(r, deps));
  mount('/clinics/:clinicId/communication', 'Communication', (r) => communicationRoutes(r, deps));
  mount('/clinics/:clinicId/notification-settings', 'Payment reminders', (r) => notificationSettingsRoutes(r, deps));
  mount('/clinics/:clinicId/payment-reminders', 'Payment reminders', (r) => paymentReminderRoutes(r, deps));
  mount('/clinics/:clinicId/billing', 'Clinic billing', (r) => clinicBillingRoutes(r, deps));
  mount('/staff', 'Staff', (r) => staffRoutes(r, deps));
  mount('/patients', 'Patients', (r) => patientRoutes(r, deps));
  mount('/therapy-types', 'Therapy types', (r) => therapyTypeRoutes(r, deps));
  mount('/treatment-categories', 'Therapy types', (r) => treatmentCategoryRoutes(r, deps));
  mount('/practitioners', 'Practitioners', (r) => practitionerRoutes(r, deps));
  // Before any appointments router with /:id, which would otherwise take /availability and /calendar.
  mount('/appointments', 'Appointments', (r) => appointmentCalendarRoutes(r, deps));
  mount('/appointments', 'Appointments', (r) => appointmentRoutes(r, deps));
  mount('/appointments', 'Appointments', (r) => subscriptionBookingRoutes(r, deps));
  mount('/reschedule-requests', 'Reschedule requests', (r) => rescheduleRequestRoutes(r, deps));
  mount('/appointments', 'Treatment records', (r) => treatmentRecordRoutes(r, deps));
  mount('/inventory/reorder-requests', 'Inventory', (r) => reorderRequestRoutes(r, deps));
  mount('/inventory', 'Inventory', (r) => inventoryRoutes(r, deps));
  mount('/payments', 'Payments', (r) => paymentRoutes(r, deps));
  mount('/invoices', 'Invoices', (r) => invoiceRoutes(r, deps));
  mount('/credit-notes', 'Invoices', (r) => creditNoteRoutes(r));
  mount('/documents', 'Invoices', (r) => documentLinkRoutes(r, deps));
  mount('/patients', 'Payments', (r) => patientAccountRoutes(r, deps));
  mount('/patients', 'Patients', (r) => patientTimelineRoutes(r, deps));
  mount('/progress-report-templates', 'Progress reports', (r) => progressReportTemplateRoutes(r, deps));
  mount('/progress-reports', 'Progress reports', (r) => progressReportRoutes(r, deps));
  mount('/report-downloads', 'Progress reports', (r) => reportDownloadRoutes(r, deps));
  mount('/me', 'My day', (r) => meRoutes(r, deps));
  mount('/webhooks', 'Webhooks', (r) => stripeWebhookRoutes(r, deps));
  mount('/pay', 'Payment reminders', (r) => payRoutes(r, deps));
  mount('/package-plans', 'Packages and subscriptions', (r) => packagePlanRoutes(r, deps));
  mount('/patients', 'Packages and subscriptions', (r) => patientPackageListRoutes(r, deps));
  mount('/patient-packages', 'Packages and subscriptions', (r) => patientPackageRoutes(r, deps));
  mount('/pay/package-charges', 'Packages and subscriptions', (r) => packagePayRoutes(r, deps));
  mount('/expenses', 'Expenses', (r) => expenseRoutes(r, deps));
  mount('/reports', 'Reports', (r) => reportRoutes(r, deps));
  mount('/report-links', 'Reports', (r) => reportLinkRoutes(r, deps));
  mount('/licensing', 'Licensing', (r) => licensingRoutes(r, deps));
  mount('/audit-log', 'Audit log', (r) => auditLogRoutes(r, deps));
  mount('/codec', 'Codec', (r) => codecSessionRoutes(r, deps));
  mount('/communication', 'Messages', (r) => sendRoutes(r, deps));
  mount('/messages', 'Messages', (r) => messageLogRoutes(r, deps));
  mount('/webhooks', 'Webhooks', (r) => webhookRoutes(r, deps));

  const document = generateOpenApiDocument(registry, config.PUBLIC_API_URL ?? '/');
  app.get(`${API_PREFIX}/openapi.json`, (_req, res) => {
    res.json(document);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(document, { customSiteTitle: 'ClinicFlow API' }));

  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
