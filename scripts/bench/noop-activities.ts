/** The Temporal baseline's activity: does nothing, so what is measured is Temporal's own round trips. */
export const noopActivities = {
  async noop(): Promise<void> {},
};
