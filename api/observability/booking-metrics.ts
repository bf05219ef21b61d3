/**
 * The API's business metrics, registered on the API's own registry (ApiDeps.metrics, served at
 * /metrics) the first time a route uses them: nothing else has to know about them.
 */
import { Counter, type Registry } from 'prom-client';

export type BookingOutcome = 'booked' | 'replayed' | 'slot_taken' | 'rejected';

const counters = new WeakMap<Registry, Counter<'outcome'>>();

function bookingsOn(registry: Registry): Counter<'outcome'> {
  let counter = counters.get(registry);
  if (!counter) {
    counter = new Counter({ name: 'clinicflow_bookings_total', help: 'Appointment booking requests by outcome', labelNames: ['outcome'], registers: [registry] });
    // Every outcome has a series from the first booking on, so rates over them are defined.
    for (const outcome of ['booked', 'replayed', 'slot_taken', 'rejected'] as const) counter.inc({ outcome }, 0);
    counters.set(registry, counter);
  }
  return counter;
}

export function recordBooking(registry: Registry, outcome: BookingOutcome): void {
  bookingsOn(registry).inc({ outcome });
}
