const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The clinic of a workflow id `<kind>/<clinicId>/…`, for logs and traces; undefined for platform workflows. */
export function clinicIdOfWorkflowId(workflowId: string): string | undefined {
  const second = workflowId.split('/')[1];
  return second && UUID.test(second) ? second : undefined;
}
