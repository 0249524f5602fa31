/** What a schedule does when it fires; the same payload EventBridge Scheduler hands the send Lambda on AWS. */
export type ScheduledJob = { kind: 'wrapup'; meetingId: string };

export interface ScheduleRequest {
  /** Deterministic (derived from what it is for), so that scheduling the same thing twice is a no-op. */
  name: string;
  /** When to fire, an ISO instant. */
  at: string;
  job: ScheduledJob;
}

export interface Scheduler {
  /** Creates the one-time schedule unless one with the same name exists (then nothing changes). */
  scheduleOnce(request: ScheduleRequest): Promise<'created' | 'exists'>;
  cancel(name: string): Promise<void>;
}
