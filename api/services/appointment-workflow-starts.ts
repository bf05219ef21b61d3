/**
 * Starting a booked appointment's lifecycle workflow after the booking has been answered.
 *
 * A booking waits on the database only: once its row is committed it is answered, and its
 * workflow is started here, one at a time, so a burst of bookings never queues behind Temporal,
 * and Temporal takes the starts at its own pace. Nothing is lost on the way: a row whose workflow
 * has not started has no workflowStartedAt, and the start reconciler (workflows/reconciler) starts
 * it within a minute or two, whatever happened here (the API stopped or crashed, Temporal refused,
 * the queue was full). Before anything is sent to the workflow (an action, a reschedule request),
 * `ensureAppointmentWorkflow` starts it if it has not started yet, joining a start under way.
 */
import { AsyncResource } from 'node:async_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { appointmentStart, START_ONCE } from '../../domain/temporal';
import { permanentDatabaseError } from '../../prisma/errors';
import { type Appointment } from '../../prisma/generated/client';
import { markAppointmentWorkflowStarted } from '../../prisma/workflow-marks';
import { type ApiDeps } from '../deps';
import { startWorkflow } from './start-workflow';

/**
 * Starts under way at once. One keeps up with tens of bookings a second; more only moves the
 * work of Temporal and the worker into the burst itself: on the benchmark machine, four at once
 * made a burst of 100 bookings a second wait seconds for their answers, one did not (README,
 * Performance).
 */
const STARTS_AT_ONCE = 1;
/** Bookings waiting for their start; beyond this the start reconciler takes them. */
const MAX_WAITING = 20_000;
/**
 * How long a started workflow's mark is retried while the database is down or restarting; beyond
 * that the start reconciler finds the row, finds its workflow running, and marks it.
 */
const MARK_RETRY_MS = 60_000;

type Booked = Pick<Appointment, 'id' | 'clinicId' | 'patientId' | 'status' | 'startsAt' | 'reservationId' | 'workflowStartedAt'>;

class StartQueue {
  /** Starts not yet begun, oldest first (from `head` on). */
  private waiting: Array<() => void> = [];
  private head = 0;
  private running = 0;
  private stopped = false;
  /** Waiting to start, by appointment id. */
  private readonly queued = new Set<string>();
  /** Starting now, by appointment id: resolves to whether the workflow runs (or ran) afterwards. */
  private readonly starting = new Map<string, Promise<boolean>>();

  constructor(private readonly deps: ApiDeps) {}

  soon(appointment: Booked): void {
    const { id } = appointment;
    if (appointment.workflowStartedAt || this.queued.has(id) || this.starting.has(id)) return;
    if (this.queued.size >= MAX_WAITING) {
      this.deps.logger.warn({ appointmentId: id }, 'too many workflow starts waiting; the start reconciler will start this one');
      return;
    }
    this.queued.add(id);
    // Bound to the booking's async context: the start is traced under its request.
    this.waiting.push(
      AsyncResource.bind(() => {
        this.queued.delete(id);
        const started = this.start(appointment).then(
          () => true,
          // Logged by startWorkflow; the row stays without workflowStartedAt for the reconciler.
          () => false,
        );
        this.starting.set(id, started);
        void started.finally(() => {
          this.starting.delete(id);
          this.running--;
          this.pump();
        });
      }),
    );
    this.pump();
  }

  async ensure(appointment: Booked): Promise<void> {
    if (appointment.workflowStartedAt) return;
    // A start under way is joined; one still waiting in the queue is not waited for (a second
    // start of the same workflow finds it running and changes nothing).
    if (await this.starting.get(appointment.id)) return;
    await this.start(appointment);
  }

  /**
   * On shutdown: no further start begins; resolves once those under way have ended (or after
   * `ms`). What is still queued is the reconciler's.
   */
  async stop(ms: number): Promise<void> {
    this.stopped = true;
    await Promise.race([Promise.allSettled([...this.starting.values()]), delay(ms)]);
  }

  private pump(): void {
    while (!this.stopped && this.running < STARTS_AT_ONCE && this.head < this.waiting.length) {
      const next = this.waiting[this.head]!;
      this.head++;
      this.running++;
      next();
    }
    // Drop what has been taken once the queue has emptied, so the array does not grow for good.
    if (this.head === this.waiting.length) {
      this.waiting = [];
      this.head = 0;
    }
  }

  /** Starts it (a workflow that runs or ran already counts as started) and marks the row; 503 when Temporal cannot take it. */
  private async start(appointment: Booked): Promise<void> {
    try {
      await startWorkflow(
        this.deps,
        'appointmentWorkflow',
        { ...appointmentStart(appointment.clinicId, appointment), ...START_ONCE },
        `The appointment ${appointment.reservationId} is booked, but its confirmation and reminders could not be scheduled yet; try again shortly`,
      );
    } catch (err) {
      // Started before (by the queue, another API or the reconciler) and finished already.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    await this.mark(appointment);
  }

  /**
   * Records that the workflow runs. The workflow runs already, so a database that is down for a
   * moment is waited for (with backoff) rather than leaving the row to the reconciler's next pass.
   */
  private async mark(appointment: Booked): Promise<void> {
    const giveUpAt = Date.now() + MARK_RETRY_MS;
    for (let wait = 250; ; wait = Math.min(wait * 2, 5_000)) {
      try {
        await markAppointmentWorkflowStarted(this.deps.prisma, appointment, this.deps.now?.());
        return;
      } catch (err) {
        if (permanentDatabaseError(err) || this.stopped || Date.now() + wait > giveUpAt) throw err;
        this.deps.logger.warn({ appointmentId: appointment.id, retryInMs: wait }, 'could not mark the appointment workflow started; retrying');
        await delay(wait);
      }
    }
  }
}

const queues = new WeakMap<ApiDeps, StartQueue>();
function queueOf(deps: ApiDeps): StartQueue {
  let queue = queues.get(deps);
  if (!queue) queues.set(deps, (queue = new StartQueue(deps)));
  return queue;
}

/** Queues the start of a committed booking's workflow; the caller does not wait for it. */
export function startAppointmentWorkflowSoon(deps: ApiDeps, appointment: Booked): void {
  queueOf(deps).soon(appointment);
}

/** Before an action reaches the workflow: starts it unless it has started; 503 with Retry-After when Temporal cannot. */
export function ensureAppointmentWorkflow(deps: ApiDeps, appointment: Booked): Promise<void> {
  return queueOf(deps).ensure(appointment);
}

/** On shutdown, before Temporal's connection closes: lets the starts under way finish, for at most `ms` (the reconciler starts the rest). */
export function stopAppointmentWorkflowStarts(deps: ApiDeps, ms: number): Promise<void> {
  return queues.get(deps)?.stop(ms) ?? Promise.resolve();
}
