import { describe, expect, it } from 'vitest';
import {
  type DateOrderSignals,
  type DueContext,
  findDue,
  findNextMeetingDate,
  guessDateOrder,
} from '../../../functions/domain/due-date';

// Weekdays of the meeting dates used below (all checked against a calendar):
const MON_23_NOV = '2026-11-23';
const TUE_03_NOV = '2026-11-03';
const THU_26_NOV = '2026-11-26';
const FRI_27_NOV = '2026-11-27';
const SUN_29_NOV = '2026-11-29';
const TUE_08_DEC = '2026-12-08';
const TUE_29_DEC = '2026-12-29';
const MON_28_FEB_2028 = '2028-02-28';
const TUE_29_FEB_2028 = '2028-02-29';

function context(meetingDate: string, extra: Partial<DueContext> = {}): DueContext {
  return { meetingDate, order: 'mdy', nextMeetingDate: null, ...extra };
}

function dueOf(line: string, meetingDate: string, extra: Partial<DueContext> = {}): string | null | undefined {
  return findDue(line, context(meetingDate, extra))?.due;
}

function signals(extra: Partial<DateOrderSignals>): DateOrderSignals {
  return { utcOffsetMinutes: null, contentLanguage: null, text: '', addresses: [], ...extra };
}

describe('findDue: the meeting day and the days after it', () => {
  it('reads "today" as the meeting day', () => {
    expect(dueOf('Keisha: get Devin access to the pricing calculator – today', THU_26_NOV)).toBe(THU_26_NOV);
  });

  it('reads "EOD" as the meeting day', () => {
    expect(dueOf('send the deck by EOD', THU_26_NOV)).toBe(THU_26_NOV);
  });

  it('reads "COB" as the meeting day', () => {
    expect(dueOf('confirm the numbers COB', THU_26_NOV)).toBe(THU_26_NOV);
  });

  it('reads "tonight" as the meeting day', () => {
    expect(dueOf('approve the ramp deal in CPQ before I log off tonight', TUE_29_DEC)).toBe(TUE_29_DEC);
  });

  it('reads "(today pls)" as the meeting day', () => {
    expect(dueOf('Tyler: log the loss reason in SFDC (today pls)', THU_26_NOV)).toBe(THU_26_NOV);
  });

  it('reads "tomorrow" as the day after the meeting', () => {
    expect(dueOf('Maya: send Juniper the final order form tomorrow', TUE_29_DEC)).toBe('2026-12-30');
  });

  it('reads "EOD tomorrow" as the day after the meeting', () => {
    expect(dueOf('update health scores in Gainsight by EOD tomorrow', THU_26_NOV)).toBe(FRI_27_NOV);
  });

  it('crosses into March the day after a leap day', () => {
    expect(dueOf('tomorrow', TUE_29_FEB_2028)).toBe('2028-03-01');
  });

  it('adds fourteen days for "in two weeks", into the next year', () => {
    expect(dueOf('Maya: refresh the FY27 territory plan in two weeks', TUE_29_DEC)).toBe('2027-01-12');
  });

  it('adds fourteen days for "in 2 weeks"', () => {
    expect(dueOf('review it in 2 weeks', THU_26_NOV)).toBe('2026-12-10');
  });

  it('adds N days for "in N days"', () => {
    expect(dueOf('send the plan in 10 days', THU_26_NOV)).toBe('2026-12-06');
  });

  it('adds seven days for "in a week"', () => {
    expect(dueOf('circle back in a week', THU_26_NOV)).toBe('2026-12-03');
  });
});

describe('findDue: weekdays', () => {
  it('takes the first such weekday after the meeting for "by Friday"', () => {
    expect(dueOf('share w/ me by Friday', THU_26_NOV)).toBe(FRI_27_NOV);
  });

  it('puts "by Friday" a week out when the meeting is on a Friday', () => {
    expect(dueOf('Tom - send Kestrel the renewal order form by Friday', FRI_27_NOV)).toBe('2026-12-04');
  });

  it('reads a bare weekday as the first one after the meeting', () => {
    expect(dueOf('update close dates before forecast call Monday', TUE_03_NOV)).toBe('2026-11-09');
  });

  it('reads "by Monday" on a Sunday as the next day', () => {
    expect(dueOf('send the recap by Monday', SUN_29_NOV)).toBe('2026-11-30');
  });

  it('reads "by Mon" on a late-December meeting as a January Monday', () => {
    expect(dueOf('Maya: research brief for Seabright by Mon', TUE_29_DEC)).toBe('2027-01-04');
  });

  it('reads "Tues" as Tuesday', () => {
    expect(dueOf('Siobhan (Support) - RCA for the outage by Tues', FRI_27_NOV)).toBe('2026-12-01');
  });

  it('reads "Thurs" as Thursday', () => {
    expect(dueOf('Share by Thurs.', MON_23_NOV)).toBe(THU_26_NOV);
  });

  it('reads "first thing Monday" as the next Monday', () => {
    expect(dueOf('send it first thing Monday', FRI_27_NOV)).toBe('2026-11-30');
  });

  it('does not read the French "mon" as Monday', () => {
    expect(findDue('merci mon ami', context(THU_26_NOV))).toBeNull();
  });

  it('does not read "Sat down with" as Saturday', () => {
    expect(findDue('Sat down with Raj to go through the SLA breaches', context(THU_26_NOV))).toBeNull();
  });

  it('reads "Mon morning" as the next Monday', () => {
    expect(dueOf('send the recap Mon morning', THU_26_NOV)).toBe('2026-11-30');
  });

  it('does not read "last Friday" as a deadline', () => {
    expect(findDue('we agreed last Friday', context(THU_26_NOV))).toBeNull();
  });

  it('reads "EOW" as the Friday of the meeting week', () => {
    expect(dueOf('Priya: loop in legal on the MSA redlines - EOW', MON_23_NOV)).toBe(FRI_27_NOV);
  });

  it('reads "end of week" on a Friday as the meeting day', () => {
    expect(dueOf("I'll put in a word with Marc-André by end of week.", FRI_27_NOV)).toBe(FRI_27_NOV);
  });

  it('reads "end of the week" on a Sunday as the coming Friday', () => {
    expect(dueOf('by the end of the week', SUN_29_NOV)).toBe('2026-12-04');
  });

  it('reads "this week" as the Friday of the meeting week', () => {
    expect(dueOf('get it signed this week', TUE_03_NOV)).toBe('2026-11-06');
  });

  it('reads "next Tuesday" as the Tuesday of the following week', () => {
    expect(dueOf('Derek: schedule the SKO prep session next Tuesday', TUE_29_DEC)).toBe('2027-01-05');
  });

  it('reads "next Tues" said on a Tuesday as a week later', () => {
    expect(dueOf("JL - get Okanagan's CISO on a call, target next Tues", TUE_03_NOV)).toBe('2026-11-10');
  });

  it('reads "next Wednesday" on a Monday as the Wednesday of the week after', () => {
    expect(dueOf('get a CFO meeting on the calendar by next Wednesday', MON_23_NOV)).toBe('2026-12-02');
  });

  it('reads "next Tuesday" on a Sunday as the Tuesday two days later', () => {
    expect(dueOf('next Tuesday', SUN_29_NOV)).toBe('2026-12-01');
  });

  it('reads "end of next week" as the Friday of the following week', () => {
    expect(dueOf('draft the plan by end of next week', THU_26_NOV)).toBe('2026-12-04');
  });

  it('joins a weekday and a date that follows it ("EOD Friday")', () => {
    expect(findDue('send it EOD Friday', context(MON_23_NOV))).toEqual({
      due: FRI_27_NOV,
      phrase: 'EOD Friday',
      index: 8,
    });
  });
});

describe('findDue: month ends', () => {
  it('reads "end of month" as the last day of the meeting month', () => {
    expect(dueOf('fill in renewal confidence by end of month', THU_26_NOV)).toBe('2026-11-30');
  });

  it('reads "EOM" as the last day of the month even on a weekend', () => {
    expect(dueOf('Pricing for Outback Ag | Isla | EOM | In progress', '2026-10-14')).toBe('2026-10-31');
  });

  it('reads "end of the month" in a February of a leap year as the 29th', () => {
    expect(dueOf('end of the month', MON_28_FEB_2028)).toBe(TUE_29_FEB_2028);
  });

  it('reads "end of month" on the last day of the month as that day', () => {
    expect(dueOf('ETA end of month', '2026-12-31')).toBe('2026-12-31');
  });

  it('reads "before the end of November" as 30 November', () => {
    expect(dueOf("I'll set up a chat with Sarah before the end of November.", '2026-10-22')).toBe('2026-11-30');
  });

  it('reads "end of January" in a December meeting as next January', () => {
    expect(dueOf('by the end of January', TUE_08_DEC)).toBe('2027-01-31');
  });

  it('reads "EOY" as 31 December', () => {
    expect(dueOf('get the countersigned contract back before EOY', TUE_29_DEC)).toBe('2026-12-31');
  });
});

describe('findDue: the next 1:1', () => {
  it('reads "before our next 1:1" as the next meeting the notes name', () => {
    expect(dueOf('JL - clean up stale opps before our next 1:1', TUE_03_NOV, { nextMeetingDate: '2026-11-16' })).toBe(
      '2026-11-16',
    );
  });

  it('reads "by next 1:1" as the next meeting', () => {
    expect(dueOf('bring the plan by next 1:1', TUE_03_NOV, { nextMeetingDate: '2026-11-16' })).toBe('2026-11-16');
  });

  it('reads "for next time" as the next meeting', () => {
    expect(dueOf('read chapter 3 for next time', TUE_03_NOV, { nextMeetingDate: '2026-11-10' })).toBe('2026-11-10');
  });

  it('reads "before we meet next" as the next meeting', () => {
    expect(dueOf('draft the QBR deck before we meet next', TUE_03_NOV, { nextMeetingDate: '2026-11-10' })).toBe(
      '2026-11-10',
    );
  });

  it('keeps the phrase with a null due when the next meeting is unknown', () => {
    expect(findDue('update the plan before our next 1:1', context(TUE_03_NOV))).toEqual({
      due: null,
      phrase: 'before our next 1:1',
      index: 16,
    });
  });

  it('takes the date written right after "next 1:1"', () => {
    expect(dueOf('update the success plan before our next 1:1 (Thursday 8th)', '2026-09-25')).toBe('2026-10-08');
  });

  it('reads the German "vor dem nächsten 1:1" as the next meeting', () => {
    expect(
      dueOf('Jürgen: Account-Plan für Rheinhafen vor dem nächsten 1:1', THU_26_NOV, { nextMeetingDate: '2026-12-10' }),
    ).toBe('2026-12-10');
  });
});

describe('findDue: numeric and named dates', () => {
  it('reads 12/3 as 3 December for a month/day sender', () => {
    expect(dueOf('Dana: set up the Columbus ride-along by 12/3', THU_26_NOV)).toBe('2026-12-03');
  });

  it('reads 3/12 as 3 December for a day/month sender', () => {
    expect(dueOf('re-engagement plan by 3/12', THU_26_NOV, { order: 'dmy' })).toBe('2026-12-03');
  });

  it('reads 3-12 as 3 December for a day/month sender', () => {
    expect(dueOf('arrange a reference call – before 3-12', THU_26_NOV, { order: 'dmy' })).toBe('2026-12-03');
  });

  it('reads "3.12." as 3 December whatever the sender order', () => {
    expect(dueOf('Demo-Umgebung aufsetzen bis 3.12.', THU_26_NOV, { order: 'mdy' })).toBe('2026-12-03');
  });

  it('reads "bis 4.12" without the final dot as 4 December', () => {
    expect(dueOf('Angebot schicken bis 4.12', THU_26_NOV, { order: 'dmy' })).toBe('2026-12-04');
  });

  it('does not read a decimal as a date', () => {
    expect(findDue('CSAT went up to 4.5 overall', context(THU_26_NOV, { order: 'dmy' }))).toBeNull();
  });

  it('does not read a range of days as a date', () => {
    expect(findDue('onboarding takes 3-5 days', context(THU_26_NOV, { order: 'dmy' }))).toBeNull();
  });

  it('does not read "24/7" as a date', () => {
    expect(findDue('promise 24/7 support', context(THU_26_NOV, { order: 'dmy' }))).toBeNull();
  });

  it('reads an impossible month/day as day/month ("23/10" from a US sender)', () => {
    expect(dueOf('quote via CPQ by 23/10', '2026-10-14', { order: 'mdy' })).toBe('2026-10-23');
  });

  it('reads "Wed 11/18" as 18 November', () => {
    expect(dueOf('Dana: get 3-yr pricing approval from Finance by Wed 11/18', '2026-11-12')).toBe('2026-11-18');
  });

  it('lets the weekday settle the order ("Fri 4/12" is Friday 4 December)', () => {
    expect(dueOf('exec dinner Fri 4/12', THU_26_NOV, { order: 'mdy' })).toBe('2026-12-04');
  });

  it('reads "Friday 27-11" as 27 November', () => {
    expect(
      dueOf('Sophie – send the updated proposal incl. 3-year pricing – Friday 27-11', '2026-11-25', { order: 'dmy' }),
    ).toBe(FRI_27_NOV);
  });

  it('reads "Dec 3" as 3 December', () => {
    expect(dueOf('send the SOW by Dec 3', THU_26_NOV)).toBe('2026-12-03');
  });

  it('reads "3 Dec" as 3 December', () => {
    expect(dueOf('Approve 15% discount | Sam | 3 Dec | Open', THU_26_NOV, { order: 'dmy' })).toBe('2026-12-03');
  });

  it('reads "December 3rd" as 3 December', () => {
    expect(dueOf('sign-off due December 3rd', THU_26_NOV)).toBe('2026-12-03');
  });

  it('reads "the 18th" as the next 18th', () => {
    expect(dueOf('get the signed order form back before the 18th', '2026-12-14')).toBe('2026-12-18');
  });

  it('reads "the 3rd" after the 3rd has passed as the 3rd of next month', () => {
    expect(dueOf('by the 3rd', THU_26_NOV)).toBe('2026-12-03');
  });

  it('reads an ISO date as written', () => {
    expect(dueOf('due 2027-03-15', THU_26_NOV)).toBe('2027-03-15');
  });

  it('rolls "8 Jan" in a December meeting into the next year', () => {
    expect(dueOf('apply for the leadership course (applications close 8 Jan)', TUE_08_DEC, { order: 'dmy' })).toBe(
      '2027-01-08',
    );
  });

  it('rolls "1/8" in a December meeting into the next year', () => {
    expect(dueOf('@Mateo: prep 3 customer stories for the Jan kickoff — due 1/8', '2026-12-10')).toBe('2027-01-08');
  });

  it('takes the meeting day itself for a date written as the meeting date', () => {
    expect(dueOf('clean up closed-lost opps by 11/26', THU_26_NOV)).toBe(THU_26_NOV);
  });

  it('reads 2/29 after a February without one as the next leap day', () => {
    expect(dueOf('by 2/29', '2027-03-01')).toBe(TUE_29_FEB_2028);
  });
});

describe('findDue: German and French', () => {
  it('reads "bis Freitag" as the next Friday', () => {
    expect(dueOf('Angebot für Rheinhafen mit 3-Jahres-Pricing bis Freitag schicken', THU_26_NOV)).toBe(FRI_27_NOV);
  });

  it('reads "morgen" as the day after the meeting', () => {
    expect(dueOf('SGT Follow-up-Mail mit Case Studies (auf Französisch !) morgen', THU_26_NOV)).toBe(FRI_27_NOV);
  });

  it('reads "Ende des Monats" as the last day of the month', () => {
    expect(dueOf('Forecast Categories aktualisieren, Ende des Monats', THU_26_NOV)).toBe('2026-11-30');
  });

  it('reads "bis Dienstag" past a "> 20 %" as the next Tuesday', () => {
    expect(dueOf('Deal Desk wegen Rabatt > 20 % fragen - bis Dienstag', THU_26_NOV)).toBe('2026-12-01');
  });

  it('reads "bis 3. Dezember" as 3 December', () => {
    expect(dueOf('bis 3. Dezember', THU_26_NOV, { language: 'de' })).toBe('2026-12-03');
  });

  it('reads "vendredi" as the next Friday', () => {
    expect(dueOf('envoyer la proposition vendredi', THU_26_NOV, { language: 'fr' })).toBe(FRI_27_NOV);
  });

  it('reads "demain" as the day after the meeting', () => {
    expect(dueOf('relancer le client demain', THU_26_NOV, { language: 'fr' })).toBe(FRI_27_NOV);
  });

  it('reads "d\'ici vendredi" as the next Friday', () => {
    expect(dueOf("d'ici vendredi", FRI_27_NOV, { language: 'fr' })).toBe('2026-12-04');
  });

  it('reads "fin du mois" as the last day of the month', () => {
    expect(dueOf('mettre à jour le forecast fin du mois', THU_26_NOV, { language: 'fr' })).toBe('2026-11-30');
  });

  it('reads "jeudi 10 décembre" as 10 December', () => {
    expect(dueOf('pour jeudi 10 décembre', THU_26_NOV, { language: 'fr' })).toBe('2026-12-10');
  });
});

describe('findDue: vague phrases', () => {
  it.each([
    ['ASAP', "CR - escalate Meridian's indemnity ask to deal desk ASAP"],
    ['no rush', 'Intro me to the Ironwood board member (Mark Tolliver) - no rush'],
    ['when you can', 'send me the deck when you can'],
    ['once it closes', "I'll write up the Harcourt win story for the team wiki once it closes."],
    ['from next month', 'join the forecast call from next month'],
    ['before the holiday break', 'José: book our Jan territory planning session – before the holiday break'],
    ['Q1', 'expansion proposal – target Q1'],
    ['end of Q4', 'pipeline coverage at 3x by end of Q4'],
    ['next quarter', 'run the pricing review next quarter'],
    ['soon', 'loop in Legal soon'],
    ['later', 'we can sort the comp questions later'],
    ['in January', 'revisit the territory split in January'],
  ])('records "%s" with a null due', (phrase, line) => {
    const match = findDue(line, context(THU_26_NOV));

    expect(match?.due).toBeNull();
    expect(match?.phrase.toLowerCase()).toContain(phrase.toLowerCase());
  });

  it('prefers a dated deadline to a vague phrase on the same line', () => {
    expect(dueOf('send it by Friday, no rush after that', THU_26_NOV)).toBe(FRI_27_NOV);
  });

  it('does not take "no later than" as the vague "later"', () => {
    expect(dueOf('no later than Friday', THU_26_NOV)).toBe(FRI_27_NOV);
  });
});

describe('findDue: dates that belong to the task', () => {
  it('does not take a date that names a session', () => {
    expect(findDue('prep for the Dec 17 session', context(THU_26_NOV))).toBeNull();
  });

  it('does not take a date that names a past demo', () => {
    expect(findDue('Castellan Foods - stalled, no reply since the 10/28 demo', context('2026-11-12'))).toBeNull();
  });

  it('does not take "Q4" in "Q4 close"', () => {
    expect(findDue('land it for Q4 close', context(THU_26_NOV))).toBeNull();
  });

  it('does not take "today" in "today\'s 1:1"', () => {
    expect(findDue("Recap of today's 1:1", context(THU_26_NOV))).toBeNull();
  });

  it('takes "by Jan 15" when it is the deadline of the commitment', () => {
    expect(dueOf('20 new meetings by Jan 15', THU_26_NOV)).toBe('2027-01-15');
  });

  it('prefers the deadline to a date inside quoted task text', () => {
    expect(
      dueOf('Renée: update the Q1 pipeline gen plan (“20 new meetings by Jan 15”) – due Friday', '2026-12-14'),
    ).toBe('2026-12-18');
  });

  it('prefers the deadline to a date that names a session', () => {
    expect(dueOf('prep for the Dec 17 session by Friday', THU_26_NOV)).toBe(FRI_27_NOV);
  });

  it('prefers "COB Friday" to a "(today)" gloss written the next morning', () => {
    expect(
      dueOf('Lachlan: send Noosa Surf the revised upsell quote - COB Friday (today)', '2026-10-22', { order: 'dmy' }),
    ).toBe('2026-10-23');
  });

  it('takes the date of the event the task happens at', () => {
    expect(dueOf('Keisha to raise it with Marketing at the Oct 1 staff mtg', '2026-09-21')).toBe('2026-10-01');
  });

  it('takes "before the Dec 10 deadline" as 10 December with no alternative', () => {
    expect(findDue("I'll sign up for the masterclass before the Dec 10 deadline.", context('2026-12-02'))).toEqual({
      due: '2026-12-10',
      phrase: 'before the Dec 10 deadline',
      index: 33,
    });
  });

  it('takes the last date when no date has a deadline word', () => {
    expect(dueOf('call on Monday, demo Wednesday', MON_23_NOV)).toBe('2026-11-25');
  });

  it('takes the deadline-marked date over a later plain one', () => {
    expect(dueOf('by Wednesday, ahead of the call on 12/3', MON_23_NOV)).toBe('2026-11-25');
  });

  it('reads "ready before their board meeting on 2/11" as 2 November', () => {
    expect(dueOf("chase Legal so it's ready before their board meeting on 2/11", '2026-10-22', { order: 'dmy' })).toBe(
      '2026-11-02',
    );
  });

  it('does not read "3-yr" or "15%" as dates', () => {
    expect(findDue('get 3-yr pricing with a 15% discount', context(THU_26_NOV, { order: 'dmy' }))).toBeNull();
  });
});

describe('findDue: phrases with two readings', () => {
  it('reads "before Friday\'s forecast call" as Friday, or Thursday', () => {
    expect(
      findDue("check quarterly billing for Penrose, ideally before Friday's forecast call.", context(MON_23_NOV)),
    ).toEqual({
      due: FRI_27_NOV,
      alternatives: [THU_26_NOV],
      phrase: "before Friday's forecast call",
      index: 45,
    });
  });

  it('reads "before Friday\'s call" on a Friday as next Friday, or the Thursday before', () => {
    const match = findDue("before Friday's call", context(FRI_27_NOV));

    expect([match?.due, ...(match?.alternatives ?? [])]).toEqual(['2026-12-04', '2026-12-03']);
  });

  it('reads "before Christmas" as 24 December, or 25 December', () => {
    const match = findDue('Ewan — send Brodie & Hart a proposed QBR date before Christmas', context(TUE_08_DEC));

    expect([match?.due, ...(match?.alternatives ?? [])]).toEqual(['2026-12-24', '2026-12-25']);
  });

  it('reads "before Christmas" after Christmas as next year\'s', () => {
    expect(dueOf('before Christmas', TUE_29_DEC)).toBe('2027-12-24');
  });

  it('gives no alternatives for a plain "by Friday"', () => {
    expect(findDue('by Friday', context(MON_23_NOV))?.alternatives).toBeUndefined();
  });
});

describe('findDue: the line as written', () => {
  it('returns the phrase and its index in the original line, whitespace and all', () => {
    expect(findDue('Marcus:  send  it   by  Friday', context(MON_23_NOV))).toEqual({
      due: FRI_27_NOV,
      phrase: 'by  Friday',
      index: 20,
    });
  });

  it('reads a curly apostrophe and returns it as written', () => {
    expect(findDue('ideally before Friday’s forecast call', context(MON_23_NOV))?.phrase).toBe(
      'before Friday’s forecast call',
    );
  });

  it('reads "by the same day" as the previous item\'s date', () => {
    expect(
      dueOf("and I'll chase their legal on the DPA by the same day", MON_23_NOV, { previousDue: '2026-11-25' }),
    ).toBe('2026-11-25');
  });

  it.each(['send it upfriday', 'send it éfriday', 'send it 𝒜friday', 'send it_friday', 'send it 3friday'])(
    'does not read a date word joined to the letter, digit or underscore before it: %s',
    (line) => {
      expect(findDue(line, context(MON_23_NOV))).toBeNull();
    },
  );

  it('reads a date word right after an emoji', () => {
    expect(dueOf('send it 🎯friday', MON_23_NOV)).toBe(FRI_27_NOV);
  });

  it('reads a date word after one that holds it ("xtomorrow and by Friday")', () => {
    expect(findDue('xtomorrow and by Friday', context(MON_23_NOV))).toEqual({
      due: FRI_27_NOV,
      phrase: 'by Friday',
      index: 14,
    });
  });

  it('returns null for a line with no date in it', () => {
    expect(findDue('Vikram - share renewal-risk dashboard access with Rohit', context(THU_26_NOV))).toBeNull();
  });

  it('reads a line with a long whitespace run quickly', () => {
    const line = `send ${' '.repeat(200_000)}the SOW by Dec 3 ${'and more '.repeat(20_000)}`;
    const started = performance.now();

    const match = findDue(line, context(THU_26_NOV));

    expect(match?.due).toBe('2026-12-03');
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('rejects a meeting date that is not a calendar date', () => {
    expect(() => findDue('by Friday', context('2026-02-30'))).toThrow(RangeError);
  });
});

describe('findNextMeetingDate', () => {
  const base = { order: 'mdy' as const };

  it('reads "Next 1:1 Thu 11/19."', () => {
    expect(
      findNextMeetingDate('Coaching\n- keep at it\n\nNext 1:1 Thu 11/19.\n', { ...base, meetingDate: '2026-11-12' }),
    ).toBe('2026-11-19');
  });

  it('reads "next 1:1 moved to" a day/month date', () => {
    expect(findNextMeetingDate('next 1:1 moved to Friday 4/12', { meetingDate: THU_26_NOV, order: 'dmy' })).toBe(
      '2026-12-04',
    );
  });

  it('reads the date of an "Agenda for next time" heading', () => {
    expect(
      findNextMeetingDate('Agenda for next time (22/12)\n• Moorland PO status', {
        meetingDate: TUE_08_DEC,
        order: 'dmy',
      }),
    ).toBe('2026-12-22');
  });

  it('reads "Agenda for next 1:1 (11/24):"', () => {
    expect(findNextMeetingDate('Agenda for next 1:1 (11/24):', { ...base, meetingDate: '2026-11-17' })).toBe(
      '2026-11-24',
    );
  });

  it('reads a French "Prochain 1:1 : jeudi 10 décembre"', () => {
    expect(
      findNextMeetingDate('Prochain 1:1 : jeudi 10 décembre', {
        meetingDate: THU_26_NOV,
        order: 'dmy',
        language: 'de',
      }),
    ).toBe('2026-12-10');
  });

  it('reads "see you on the 3rd"', () => {
    expect(findNextMeetingDate('Thanks - see you on the 3rd!', { ...base, meetingDate: THU_26_NOV })).toBe(
      '2026-12-03',
    );
  });

  it('reads "Same time next Wednesday." as the Wednesday of the following week', () => {
    expect(
      findNextMeetingDate('No new actions this week. Same time next Wednesday.', {
        ...base,
        meetingDate: '2026-09-09',
      }),
    ).toBe('2026-09-16');
  });

  it('reads "same time next week" as seven days on', () => {
    expect(findNextMeetingDate('same time next week', { ...base, meetingDate: THU_26_NOV })).toBe('2026-12-03');
  });

  it('rolls "Next 1:1 Tue 1/12" in a late-December meeting into January', () => {
    expect(
      findNextMeetingDate('Next 1:1 Tue 1/12 - Maya to bring a Q1 plan.', { ...base, meetingDate: TUE_29_DEC }),
    ).toBe('2027-01-12');
  });

  it('reads the date in brackets after "before our next 1:1"', () => {
    expect(
      findNextMeetingDate('* Tom - update the success plan before our next 1:1 (Thursday 8th)', {
        meetingDate: '2026-09-25',
        order: 'dmy',
      }),
    ).toBe('2026-10-08');
  });

  it('does not take a deadline further along the line as the next 1:1', () => {
    expect(
      findNextMeetingDate('before our next 1:1, send me the plan by Friday', { ...base, meetingDate: THU_26_NOV }),
    ).toBeNull();
  });

  it('skips quoted lines from older messages', () => {
    expect(findNextMeetingDate('> Next 1:1 Thu 11/19.\nThanks', { ...base, meetingDate: '2026-11-12' })).toBeNull();
  });

  it('returns null when the notes name no next meeting', () => {
    expect(
      findNextMeetingDate('Action items\n- send the deck by Friday', { ...base, meetingDate: THU_26_NOV }),
    ).toBeNull();
  });
});

describe('guessDateOrder', () => {
  it('reads −05:00 as month/day', () => {
    expect(guessDateOrder(signals({ utcOffsetMinutes: -300 }))).toBe('mdy');
  });

  it('reads −08:00 as month/day', () => {
    expect(guessDateOrder(signals({ utcOffsetMinutes: -480 }))).toBe('mdy');
  });

  it('reads +00:00 with en-GB as day/month', () => {
    expect(guessDateOrder(signals({ utcOffsetMinutes: 0, contentLanguage: 'en-GB' }))).toBe('dmy');
  });

  it('reads +00:00 with a .co.uk address as day/month', () => {
    expect(guessDateOrder(signals({ utcOffsetMinutes: 0, addresses: ['h.okafor@fernleigh.co.uk'] }))).toBe('dmy');
  });

  it('reads +01:00 with an .ie address as day/month', () => {
    expect(guessDateOrder(signals({ utcOffsetMinutes: 60, addresses: ['eimear@harbourline.ie'] }))).toBe('dmy');
  });

  it('reads +05:30 (India) as day/month', () => {
    expect(guessDateOrder(signals({ utcOffsetMinutes: 330 }))).toBe('dmy');
  });

  it('reads +10:00 (Australia) as day/month', () => {
    expect(guessDateOrder(signals({ utcOffsetMinutes: 600 }))).toBe('dmy');
  });

  it('reads +11:00 (Australian summer) as day/month', () => {
    expect(guessDateOrder(signals({ utcOffsetMinutes: 660 }))).toBe('dmy');
  });

  it('reads +01:00 with de-DE as day/month', () => {
    expect(guessDateOrder(signals({ utcOffsetMinutes: 60, contentLanguage: 'de-DE' }))).toBe('dmy');
  });

  it('reads +01:00 with nl as day/month', () => {
    expect(guessDateOrder(signals({ utcOffsetMinutes: 60, contentLanguage: 'nl' }))).toBe('dmy');
  });

  it('reads en-US as month/day even at +00:00', () => {
    expect(guessDateOrder(signals({ utcOffsetMinutes: 0, contentLanguage: 'en-US' }))).toBe('mdy');
  });

  it('lets an unambiguous 23/11 in the text decide day/month over a US offset', () => {
    expect(guessDateOrder(signals({ utcOffsetMinutes: -300, text: 'QBR booked for 23/11, plan by 3/12' }))).toBe('dmy');
  });

  it('lets an unambiguous 11/23 in the text decide month/day over en-GB', () => {
    expect(
      guessDateOrder(signals({ utcOffsetMinutes: 60, contentLanguage: 'en-GB', text: 'qualify it by 11/23' })),
    ).toBe('mdy');
  });

  it('does not count "24/7" as a day/month date', () => {
    expect(guessDateOrder(signals({ utcOffsetMinutes: -300, text: 'they want 24/7 support' }))).toBe('mdy');
  });

  it('falls back to phone codes in the text when the offset is unknown', () => {
    expect(guessDateOrder(signals({ text: 'Ananya Rao | Bengaluru | +91 80 5550 1122' }))).toBe('dmy');
  });

  it('reads month/day when there is no signal at all', () => {
    expect(guessDateOrder(signals({}))).toBe('mdy');
  });
});
