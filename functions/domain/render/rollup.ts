import { fillRollup } from '../../../templates/compiled/rollup';
import type { TemplateFill } from './fill';
import {
  collapseWhitespace,
  countOf,
  displayName,
  firstName,
  formatIsoDate,
  formatShortDate,
  headerText,
  mondayOf,
  parseCalendarDate,
} from './format';
import type { RenderedMail, RollupInput, RollupReport } from './inputs';
import { type FooterView, footerText, headingText, type IntroView, noticesText, unsubscribeFooterLink } from './items';

const copy = {
  nothingOpen: 'Nothing open — a clean slate.',
  noReports: 'None of your reports has a 1:1 with you on followthrough yet, so there is nothing to roll up.',
  reason:
    'You are getting this because your 1:1 notes with your reports go through followthrough. It comes once a week.',
} as const;

interface ReportView {
  name: string;
  open: number;
  overdue: number;
  stalled: number;
  hasOverdue: boolean;
  hasStalled: boolean;
  /** Every key the template reads inside {{#oldest}} is set, so none falls through to the report's. */
  oldest: { text: string; due: string | null; since: string; overdue: boolean } | null;
  nothingOpen: string;
}

/**
 * A manager's weekly roll-up: per report, how many items are open, overdue and stalled, and the oldest one.
 *
 * `fill` fills the template in: its precompiled function; the equivalence test and the bench pass Mustache.render.
 */
export function renderRollupMail(input: RollupInput, fill: TemplateFill = fillRollup): RenderedMail {
  const today = parseCalendarDate(input.today);
  const year = today?.year;
  const week = today === null ? input.today : formatShortDate(mondayOf(today), year);
  const reports = input.reports.map((report) => reportView(report, input.today, year));
  const total = (count: (r: RollupReport) => number) => input.reports.reduce((sum, r) => sum + count(r), 0);
  const summary =
    reports.length === 0
      ? null
      : `${firstName(input.manager)}, across your ${countOf(reports.length, 'report')}: ${countOf(
          total((r) => r.open),
          'open item',
        )}, ${total((r) => r.overdue)} overdue, ${total((r) => r.stalled)} stalled.`;
  const subject = headerText(`Team roll-up — week of ${week}`);
  const intro: IntroView = {
    heading: 'Team roll-up',
    date: `week of ${week}`,
    lines: summary === null ? [] : [summary],
  };
  const notices = reports.length === 0 ? [copy.noReports] : [];
  // No numbered items here, so no reply commands: they act on the reports' own mails.
  const footer: FooterView = {
    commands: null,
    reason: copy.reason,
    unsubscribe: unsubscribeFooterLink('Unsubscribe from the roll-up', input.unsubscribeUrl),
  };

  const html = fill({
    title: subject,
    preview: summary ?? copy.noReports,
    intro,
    reports,
    hasNotices: notices.length > 0,
    notices,
    footer,
  });
  let text = `${headingText(intro)}\n`;
  for (const report of reports) text += reportText(report);
  text += noticesText(notices) + footerText(footer);
  return { subject, html, text };
}

function reportView(report: RollupReport, today: string, year: number | undefined): ReportView {
  const { oldest } = report;
  return {
    name: displayName(report.report),
    open: report.open,
    overdue: report.overdue,
    stalled: report.stalled,
    hasOverdue: report.overdue > 0,
    hasStalled: report.stalled > 0,
    oldest:
      oldest === null
        ? null
        : {
            text: collapseWhitespace(oldest.text),
            due: oldest.due === null ? null : formatIsoDate(oldest.due, year),
            since: `open since ${formatIsoDate(oldest.meetingDate, year)}${age(oldest.meetingDate, today)}`,
            overdue: oldest.due !== null && oldest.due < today,
          },
    nothingOpen: copy.nothingOpen,
  };
}

/** " (18 days)": how long the oldest item has been open, the number a manager compares across reports. */
function age(from: string, today: string): string {
  const days = Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
  return Number.isFinite(days) && days > 0 ? ` (${countOf(days, 'day')})` : '';
}

function reportText(report: ReportView): string {
  const counts = `${report.name}: ${report.open} open · ${report.overdue} overdue · ${report.stalled} stalled\n`;
  if (report.oldest === null) return `${counts}   ${report.nothingOpen}\n\n`;
  return `${counts}   Oldest open item: ${report.oldest.text}\n   Due: ${report.oldest.due ?? 'no date'} · ${report.oldest.since}\n\n`;
}
