/**
 * The first try of new messages, made at once by the activity that wrote them: most messages are
 * delivered by that one try, and then cost Temporal nothing more. Only a message the try did not
 * deliver (the provider failed, its circuit is open, the clinic's rate limit is full, its deadline
 * has passed) gets its delivery workflow, which retries, falls back and waits out outages as
 * always. Every try is in the delivery log either way.
 *
 * Crash-safe like an activity retry: a message is claimed (PENDING → SENDING) before its try, so a
 * rerun of the caller finds it SENDING and hands it to its workflow, whose first send finds the
 * provider's receipt (the same attempt key) and does not send it again.
 */
import { type Client } from '@temporalio/client';
import { type PrismaClient } from '../../prisma/client';
import { createDeliverySteps } from './delivery-activities';
import { type MessagingDeps } from './messaging-deps';
import { startDelivery } from './start-pending-deliveries';

/** Tries in flight at once: enough to overlap the providers' round trips, few enough for the pool. */
const TRIES_IN_PARALLEL = 10;

export interface DeliverAtOnceDeps extends Partial<MessagingDeps> {
  prisma: PrismaClient;
  /** Starts the deliveries the try did not finish; without it (some tests) nothing is sent and the messages stay PENDING. */
  temporal?: Client;
}

export interface DeliverAtOnceOptions {
  /** Temporal's clock when the messages were written: their deadline and the try's log count from it. */
  nowMs: number;
  /** Searchable on the delivery workflows of an appointment's messages. */
  appointmentId?: string;
  /** Called after each group of tries, so a long-running caller can heartbeat. */
  onProgress?: (done: number) => void;
}

/**
 * Delivers each of the given messages that is still waiting: PENDING ones are tried at once;
 * those a try did not deliver, and SENDING ones (an earlier run of the caller died mid-try), are
 * handed to their delivery workflows. Without the providers (tests of other steps) every message
 * goes to its workflow.
 */
export function createDeliverAtOnce(deps: DeliverAtOnceDeps) {
  const { prisma, temporal } = deps;
  const { cipher, endpoints, globalConfig, clients } = deps;
  const steps = cipher && endpoints && globalConfig && clients ? createDeliverySteps({ prisma, cipher, endpoints, globalConfig, clients }) : null;

  return async function deliverAtOnce(clinicId: string, messageIds: readonly string[], { nowMs, appointmentId, onProgress }: DeliverAtOnceOptions): Promise<void> {
    if (!temporal || messageIds.length === 0) return;
    const waiting = await prisma.message.findMany({
      where: { clinicId, id: { in: [...messageIds] }, status: { in: ['PENDING', 'SENDING'] } },
      select: { id: true, patientId: true, status: true },
      orderBy: { id: 'asc' },
    });
    const claim = async (id: string) => (await prisma.message.updateMany({ where: { id, clinicId, status: 'PENDING' }, data: { status: 'SENDING' } })).count === 1;
    for (let i = 0; i < waiting.length; i += TRIES_IN_PARALLEL) {
      await Promise.all(
        waiting.slice(i, i + TRIES_IN_PARALLEL).map(async (m) => {
          const tried = steps && m.status === 'PENDING' && (await claim(m.id)) ? await steps.firstTry({ clinicId, messageId: m.id, nowMs }) : { finished: false as const };
          if (!tried.finished) await startDelivery(temporal, clinicId, m, { ...(appointmentId ? { appointmentId } : {}), ...(tried.failed ? { firstTry: tried.failed } : {}) });
        }),
      );
      onProgress?.(i + TRIES_IN_PARALLEL);
    }
  };
}
