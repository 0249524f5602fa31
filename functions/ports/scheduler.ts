import type { Weekday } from '../domain/model';

/** What a schedule does when it fires; the same payload EventBridge Scheduler hands the send Lambda on AWS. */
export type ScheduledJob =
  | { kind: 'wrapup'; meetingId: string }
  /** The pre-meeting digest of one series, for one recipient, for the meeting on `meetingDate`. */
  | { kind: 'digest'; seriesId: string; recipient: string; meetingDate: string }
  /**
   * One person's weekly pending-items digest (and, for a manager, the roll-up): the schedules made before weekly
   * slots, one per person, which still fire until their person is seen again (followUpMeeting deletes them then).
   */
  | { kind: 'weekly'; person: string }
  /** Every weekly digest (and roll-up) of one slot: its people, a page at a time (dispatchWeekly). */
  | { kind: 'weekly-slot'; day: Weekday; time: string; timeZone: string };

export interface ScheduleRequest {
  /** Deterministic (derived from what it is for), so that scheduling the same thing twice is a no-op. */
  name: string;
  /** When to fire, an ISO instant. */
  at: string;
  job: ScheduledJob;
}

export interface WeeklyScheduleRequest {
  name: string;
  day: Weekday;
  /** HH:MM, 24-hour, in `timeZone`. */
  time: string;
  /** IANA name: the schedule follows its daylight-saving changes (ScheduleExpressionTimezone on AWS). */
  timeZone: string;
  job: ScheduledJob;
}

export interface Scheduler {
  /** Creates the one-time schedule unless one with the same name exists (then nothing changes). */
  scheduleOnce(request: ScheduleRequest): Promise<'created' | 'exists'>;
  /**
   * Creates the one-time schedule, or moves the one of that name to the new time and job (UpdateSchedule on AWS).
   * A schedule of that name that has already fired is armed again.
   */
  reschedule(request: ScheduleRequest): Promise<'created' | 'moved' | 'unchanged'>;
  /** Creates or updates a schedule that fires every week at a local time. */
  scheduleWeekly(request: WeeklyScheduleRequest): Promise<'created' | 'moved' | 'unchanged'>;
  cancel(name: string): Promise<void>;
}
