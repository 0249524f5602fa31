import { describe, expect, it } from 'vitest';
import {
  parseReplyCommands,
  type ReplyCommand,
  type ReplyContext,
  visibleReplyText,
} from '../../../../functions/domain/replies/commands';

// Thursday 12 November 2026: Friday is the 13th, Monday the 16th, next Tuesday the 17th.
const THU_12_NOV = '2026-11-12';
const US: ReplyContext = { today: THU_12_NOV, dateOrder: 'mdy' };
const UK: ReplyContext = { today: THU_12_NOV, dateOrder: 'dmy' };

/** The one command a one-line reply holds, without its line. */
function commandOf(line: string, context: ReplyContext = US): Omit<ReplyCommand, 'line'> | null {
  const { commands, notUnderstood } = parseReplyCommands(line, context);
  if (commands.length === 0) return null;
  expect(notUnderstood).toEqual([]);
  expect(commands).toHaveLength(1);
  const { line: _line, ...command } = commands[0] as ReplyCommand;
  return command;
}

const ATTRIBUTION = 'On Thu, Nov 12, 2026 at 5:47 PM Followthrough <notes@followthrough.example> wrote:';

const WRAPUP_QUOTED = [
  '> Wrap-up: 1:1 Dana / Marcus - Thu 12 Nov',
  '>',
  '> 1. Marcus: send the Q1 territory plan - due Fri 13 Nov',
  '> 2. Dana: intro Marcus to the partner team',
  '> 3. done 3',
  '>',
  '> Reply "done 2" to mark item 2 done.',
  '> -- ',
  '> Followthrough',
].join('\n');

describe('parseReplyCommands: done and drop', () => {
  it.each([
    ['done 2', 'done', [2]],
    ['Done 2', 'done', [2]],
    ['DONE 2', 'done', [2]],
    ['done #2', 'done', [2]],
    ['done 1, 3', 'done', [1, 3]],
    ['done 1,3', 'done', [1, 3]],
    ['done 1 and 3', 'done', [1, 3]],
    ['done 1, 2, and 4', 'done', [1, 2, 4]],
    ['done 1 & 3', 'done', [1, 3]],
    ['done #2 and #4, 5', 'done', [2, 4, 5]],
    ['done items 1 and 3', 'done', [1, 3]],
    ['done 1-3', 'done', [1, 2, 3]],
    ['done 2, 2', 'done', [2]],
    ['done: 2', 'done', [2]],
    ['2 done', 'done', [2]],
    ['#2 done', 'done', [2]],
    ['2. done', 'done', [2]],
    ['2: done', 'done', [2]],
    ['2 - done', 'done', [2]],
    ['2 is done', 'done', [2]],
    ['2 is now done', 'done', [2]],
    ['1 and 3 are done', 'done', [1, 3]],
    ['finished 2', 'done', [2]],
    ['closed 2', 'done', [2]],
    ['completed 2', 'done', [2]],
    ['mark 2 as done', 'done', [2]],
    ['mark 2 done', 'done', [2]],
    ['drop 4', 'drop', [4]],
    ['cancel 4', 'drop', [4]],
    ['remove 4', 'drop', [4]],
    ['delete 4', 'drop', [4]],
    ['4 dropped', 'drop', [4]],
    ['4 cancelled', 'drop', [4]],
    ['done 999', 'done', [999]],
  ])('reads %j', (line, action, numbers) => {
    expect(commandOf(line)).toEqual({ action, numbers });
  });

  it.each([
    ['- done 2'],
    ['* done 2'],
    ['• done 2'],
    ['  done 2  '],
    ['done 2.'],
    ['done 2!'],
    ['done   2'],
    ['**done 2**'],
    ['done\t2'],
  ])('reads %j despite bullets, emphasis, spacing and punctuation', (line) => {
    expect(commandOf(line)).toEqual({ action: 'done', numbers: [2] });
  });

  it('keeps the line as written', () => {
    expect(parseReplyCommands('  - Done #2 and 3!  ', US).commands).toEqual([
      { action: 'done', numbers: [2, 3], line: '- Done #2 and 3!' },
    ]);
  });
});

describe('parseReplyCommands: due dates', () => {
  it.each([
    ['2 due friday', US, '2026-11-13'],
    ['due 2 friday', US, '2026-11-13'],
    ['2 due Friday', US, '2026-11-13'],
    ['2 due fri', US, '2026-11-13'],
    ['2 due by friday', US, '2026-11-13'],
    ['2 is due friday', US, '2026-11-13'],
    ['2: due on friday', US, '2026-11-13'],
    ['2 due date friday', US, '2026-11-13'],
    ['2 due 12/4', US, '2026-12-04'],
    ['2 due 12/4', UK, '2027-04-12'],
    ['2 due 4/12', UK, '2026-12-04'],
    ['2 due Dec 4', US, '2026-12-04'],
    ['2 due 4 Dec', UK, '2026-12-04'],
    ['2 due 2026-12-04', US, '2026-12-04'],
    ['2 due the 4th', US, '2026-12-04'],
    ['2 due EOW', US, '2026-11-13'],
    ['2 due tomorrow', US, '2026-11-13'],
    ['2 due today', US, THU_12_NOV],
    ['2 due in 2 weeks', US, '2026-11-26'],
    ['2 due end of month', US, '2026-11-30'],
    ['2 due friday 12/4', US, '2026-12-04'],
    ['2 due mon', US, '2026-11-16'],
    ['move 2 to next tuesday', US, '2026-11-17'],
    ['move 2 to Friday', US, '2026-11-13'],
    ['push 2 to monday', US, '2026-11-16'],
  ])('reads %j', (line, context, due) => {
    expect(commandOf(line, context)).toEqual({ action: 'due', numbers: [2], due });
  });

  it('reads several numbers before the date', () => {
    expect(commandOf('due 2, 3 friday')).toEqual({ action: 'due', numbers: [2, 3], due: '2026-11-13' });
  });

  it.each([
    ['2 due asap'],
    ['2 due next week'],
    ['2 due soon'],
    ['due 2 blah'],
    ['2 due friday or monday'],
    ['2 due friday please'],
    ['2 due 2026-11-01'],
    ['2 due 13/13'],
    ['move 2 to jordan'],
    ['2 due'],
  ])('does not act on %j, whose date it cannot read', (line) => {
    expect(parseReplyCommands(line, US)).toEqual({ commands: [], notUnderstood: [line] });
  });
});

describe('parseReplyCommands: snooze', () => {
  it.each([
    ['snooze 3', null],
    ['snooze #3', null],
    ['3 snooze', null],
    ['snooze 3 1 week', '2026-11-19'],
    ['snooze 3 a week', '2026-11-19'],
    ['snooze 3 for 2 weeks', '2026-11-26'],
    ['snooze 3 for two weeks', '2026-11-26'],
    ['snooze 3 for 3 days', '2026-11-15'],
    ['snooze 3 for a month', '2026-12-12'],
    ['snooze 3 to 12/1', '2026-12-01'],
    ['snooze 3 until monday', '2026-11-16'],
    ['snooze 3 until mon', '2026-11-16'],
    ['snooze 3 till next tuesday', '2026-11-17'],
    ['snooze 3 until next week', '2026-11-16'],
    ['snooze 3 until Dec 1', '2026-12-01'],
    ['3 snooze until monday', '2026-11-16'],
  ])('reads %j', (line, until) => {
    expect(commandOf(line)).toEqual({ action: 'snooze', numbers: [3], until });
  });

  it('reads several numbers before a snooze length', () => {
    expect(commandOf('snooze 3, 4 for 2 weeks')).toEqual({ action: 'snooze', numbers: [3, 4], until: '2026-11-26' });
  });

  it.each([['snooze 3 today'], ['snooze 3 until whenever'], ['snooze 3 for 60 weeks'], ['snooze 3 until 2026-11-01']])(
    'does not act on %j',
    (line) => {
      expect(parseReplyCommands(line, US)).toEqual({ commands: [], notUnderstood: [line] });
    },
  );
});

describe('parseReplyCommands: owner', () => {
  it.each([
    ['2 owner jordan', 'jordan'],
    ['2 owner: Jordan', 'Jordan'],
    ['2 new owner Jordan Lee', 'Jordan Lee'],
    ['owner 2 jordan', 'jordan'],
    ['owner 2: Jordan Lee', 'Jordan Lee'],
    ['owner 2 is Jordan', 'Jordan'],
    ['owner of 2 is Jordan', 'Jordan'],
    ['owner 2 jordan.lee@acme.example', 'jordan.lee@acme.example'],
    ['assign 2 to Jordan', 'Jordan'],
    ['reassign 2 to Jordan', 'Jordan'],
    ['assign 2 to me', 'me'],
    ["2 is Jordan's", 'Jordan'],
    ['2 is Jordan’s', 'Jordan'],
    ['owner 2 José Álvarez', 'José Álvarez'],
  ])('reads %j', (line, owner) => {
    expect(commandOf(line)).toEqual({ action: 'owner', numbers: [2], owner });
  });

  it.each([['2 to jordan'], ['give 2 to jordan'], ['jordan 2'], ['owner 2'], ['owner 2 is'], ['assign 2 jordan']])(
    'does not guess at %j',
    (line) => {
      expect(parseReplyCommands(line, US)).toEqual({ commands: [], notUnderstood: [line] });
    },
  );
});

describe('parseReplyCommands: numbers', () => {
  it.each([
    ['done 0'],
    ['done 1000'],
    ['done 2.5'],
    ['done -1'],
    ['done 3-1'],
    ['done 1-60'],
    ['done 2 3'],
    ['done two'],
    ['done'],
    ['done 2?'],
    ['done 2, drop 3'],
    ['done 2 - sent it yesterday'],
  ])('does not act on %j', (line) => {
    expect(parseReplyCommands(line, US)).toEqual({ commands: [], notUnderstood: [line] });
  });
});

describe('parseReplyCommands: lines that are not commands', () => {
  it('ignores empty lines', () => {
    expect(parseReplyCommands('\n\ndone 2\n\n\n', US)).toEqual({
      commands: [{ action: 'done', numbers: [2], line: 'done 2' }],
      notUnderstood: [],
    });
  });

  it.each([
    ['Thanks'],
    ['thanks!'],
    ['Thank you!'],
    ['Thanks, Dana'],
    ['Cheers'],
    ['Best'],
    ['Best regards,'],
    ['Regards'],
    ['Many thanks'],
  ])('stops at the sign-off %j and the name under it', (signOff) => {
    expect(parseReplyCommands(`done 2\n\n${signOff}\nDana\nVP Sales`, US)).toEqual({
      commands: [{ action: 'done', numbers: [2], line: 'done 2' }],
      notUnderstood: [],
    });
  });

  it('reads commands below a "Thanks" that opens the reply', () => {
    expect(parseReplyCommands('Thanks!\ndone 2\n\nThanks again\nDana', US)).toEqual({
      commands: [{ action: 'done', numbers: [2], line: 'done 2' }],
      notUnderstood: [],
    });
  });

  it('skips a greeting', () => {
    expect(parseReplyCommands('Hi Followthrough,\n\ndone 2', US).notUnderstood).toEqual([]);
  });

  it('skips a lone name closing the reply', () => {
    expect(parseReplyCommands('done 2\n\nDana', US).notUnderstood).toEqual([]);
    expect(parseReplyCommands('done 2\n– D', US).notUnderstood).toEqual([]);
  });

  it('reports other lines as written, in order', () => {
    expect(parseReplyCommands('done 2\nsounds good, will chase legal\n2 due whenever', US)).toEqual({
      commands: [{ action: 'done', numbers: [2], line: 'done 2' }],
      notUnderstood: ['sounds good, will chase legal', '2 due whenever'],
    });
  });

  it('cuts a long line to 200 characters', () => {
    const [line] = parseReplyCommands(`I think ${'very '.repeat(100)}much so`, US).notUnderstood;

    expect(line).toHaveLength(200);
    expect(line?.startsWith('I think very very')).toBe(true);
    expect(line?.endsWith('…')).toBe(true);
  });

  it('reports at most 10 lines but still reads the commands after them', () => {
    const chatter = Array.from({ length: 15 }, (_, i) => `note number ${i + 1}`);
    const parsed = parseReplyCommands([...chatter, 'done 4'].join('\n'), US);

    expect(parsed.notUnderstood).toEqual(chatter.slice(0, 10));
    expect(parsed.commands).toEqual([{ action: 'done', numbers: [4], line: 'done 4' }]);
  });

  it('ignores quoted lines, even ones that read as commands', () => {
    expect(parseReplyCommands('> done 3\n> 2 due friday', US)).toEqual({ commands: [], notUnderstood: [] });
  });

  it('throws on a today that is not a date', () => {
    expect(() => parseReplyCommands('done 2', { today: '12/11/2026', dateOrder: 'mdy' })).toThrow(RangeError);
  });
});

describe('replies as mail apps send them', () => {
  const gmail = [
    'Done 2 and 3',
    'snooze 4 until monday',
    '',
    'Thanks!',
    'Dana',
    '',
    ATTRIBUTION,
    '',
    WRAPUP_QUOTED,
    '',
  ].join('\n');

  const gmailWrapped = [
    'drop 1',
    '',
    'On Thu, Nov 12, 2026 at 5:47 PM Followthrough <notes@followthrough.example>',
    'wrote:',
    '',
    WRAPUP_QUOTED,
  ].join('\r\n');

  const outlookMobile = [
    'done 1',
    '',
    'drop 3',
    '',
    'Get Outlook for iOS<https://aka.ms/o0ukef>',
    '________________________________',
    'From: Followthrough <notes@followthrough.example>',
    'Sent: Thursday, November 12, 2026 5:47 PM',
    'To: Priya Raman <priya.raman@contoso.example>',
    'Subject: Wrap-up: 1:1 Priya / Tom - Tue 10 Nov',
    '',
    '1. Tom: done 2',
    '2. Priya: review the deck',
  ].join('\r\n');

  const outlookDesktop = [
    '2 due friday',
    '',
    'From: Followthrough <notes@followthrough.example>',
    'Sent: Thursday, November 12, 2026 5:47 PM',
    'To: Priya Raman',
    'Subject: Wrap-up',
    '',
    'done 4',
  ].join('\r\n');

  const outlookOriginalMessage = [
    'owner 3 Tom',
    '',
    '-----Original Message-----',
    'From: Followthrough <notes@followthrough.example> ',
    'Sent: Thursday, November 12, 2026 5:47 PM',
    '',
    'done 4',
  ].join('\r\n');

  const outlookBold = [
    'done 1',
    '',
    '*From:* Followthrough <notes@followthrough.example>',
    '*Sent:* Thursday, November 12, 2026 5:47 PM',
    '',
    'done 4',
  ].join('\n');

  const appleMail = [
    'Done 1',
    '',
    'Sent from my iPhone',
    '',
    '> On Nov 12, 2026, at 17:47, Followthrough <notes@followthrough.example> wrote:',
    '> ',
    '> 1. Marcus: send the plan',
    '> done 4',
  ].join('\n');

  const unquotedHistory = ['done 2', '', ATTRIBUTION, '', 'Wrap-up', '1. done 3'].join('\n');

  const bottomPosted = [ATTRIBUTION, WRAPUP_QUOTED, '', 'done 2', '', 'Dana'].join('\n');

  const inline = ['> 1. Marcus: send the plan', 'done 1', '> 2. Dana: intro', '2 due friday', '> 3. x'].join('\n');

  const signature = ['done 2', '', '-- ', 'Dana Whitfield', 'VP Sales, Northwind'].join('\n');

  const forwarded = ['done 1', '', '---------- Forwarded message ---------', 'From: Someone', 'done 5'].join('\n');

  const german = [
    'erledigt',
    'done 2',
    '',
    'Am Do., 12. Nov. 2026 um 17:47 Uhr schrieb Followthrough <notes@followthrough.example>:',
    '> 1. x',
  ].join('\n');

  it.each([
    ['Gmail', gmail, ['Done 2 and 3', 'snooze 4 until monday'], []],
    ['Gmail with a wrapped attribution and CRLF', gmailWrapped, ['drop 1'], []],
    ['Outlook mobile', outlookMobile, ['done 1', 'drop 3'], []],
    ['Outlook desktop', outlookDesktop, ['2 due friday'], []],
    ['Outlook with "-----Original Message-----"', outlookOriginalMessage, ['owner 3 Tom'], []],
    ['Outlook as HTML turned to text', outlookBold, ['done 1'], []],
    ['Apple Mail', appleMail, ['Done 1'], []],
    ['HTML turned to text, history unquoted', unquotedHistory, ['done 2'], []],
    ['a reply below the quote', bottomPosted, ['done 2'], []],
    ['answers between quoted lines', inline, ['done 1', '2 due friday'], []],
    ['a "-- " signature', signature, ['done 2'], []],
    ['a forwarded message under the reply', forwarded, ['done 1'], []],
    ['a German mail app', german, ['done 2'], ['erledigt']],
  ])('reads a reply from %s', (_app, text, lines, notUnderstood) => {
    const parsed = parseReplyCommands(text, US);

    expect(parsed.commands.map((c) => c.line)).toEqual(lines);
    expect(parsed.notUnderstood).toEqual(notUnderstood);
  });

  it('reads the commands of a Gmail reply in full', () => {
    expect(parseReplyCommands(gmail, US).commands).toEqual([
      { action: 'done', numbers: [2, 3], line: 'Done 2 and 3' },
      { action: 'snooze', numbers: [4], until: '2026-11-16', line: 'snooze 4 until monday' },
    ]);
  });

  it.each([
    ['Gmail', gmail, 'Done 2 and 3\nsnooze 4 until monday\n\nThanks!\nDana'],
    ['Outlook mobile', outlookMobile, 'done 1\n\ndrop 3'],
    ['Outlook desktop', outlookDesktop, '2 due friday'],
    ['Apple Mail', appleMail, 'Done 1'],
    ['a "-- " signature', signature, 'done 2'],
    ['a reply below the quote', bottomPosted, 'done 2\n\nDana'],
  ])('visibleReplyText keeps only the new text of %s', (_app, text, visible) => {
    expect(visibleReplyText(text)).toBe(visible);
  });

  it.each([gmail, gmailWrapped, outlookMobile, outlookDesktop, appleMail, unquotedHistory, bottomPosted, inline])(
    'visibleReplyText changes nothing the second time',
    (text) => {
      const once = visibleReplyText(text);

      expect(visibleReplyText(once)).toBe(once);
    },
  );
});

describe('limits', () => {
  it('reads a command that ends just inside 20,000 characters', () => {
    const text = `${'> quoted\n'.repeat(2_221)}done 2`;
    expect(text.length).toBe(19_995);

    expect(parseReplyCommands(text, US).commands).toEqual([{ action: 'done', numbers: [2], line: 'done 2' }]);
  });

  it('reads no further than 20,000 characters', () => {
    const text = `${'> quoted\n'.repeat(2_222)}done 2`;

    expect(parseReplyCommands(text, US).commands).toEqual([]);
  });

  it('reads a 20,000-character line quickly', () => {
    const started = performance.now();
    parseReplyCommands(`On ${'a on at '.repeat(2_500)}`, US);

    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('reads 20,000 characters of lines that the reply parser finds slow, quickly', () => {
    const started = performance.now();
    // email-reply-parser alone takes seconds over this text.
    visibleReplyText('xxx. skrev\n'.repeat(1_800));

    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('reads a long quoted history quickly and still finds the reply below it', () => {
    // 13,000 characters: far more than the reply parser is given, so the quote must be collapsed first.
    const quote = Array.from({ length: 600 }, (_, i) => `> ${i}. some quoted item`).join('\n');
    const started = performance.now();
    const parsed = parseReplyCommands(`${ATTRIBUTION}\n${quote}\n\ndone 2`, US);

    expect(parsed.commands).toEqual([{ action: 'done', numbers: [2], line: 'done 2' }]);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('reads a line of thousands of numbers quickly', () => {
    const started = performance.now();
    const parsed = parseReplyCommands(`done ${'1, '.repeat(300)}x`, US);

    expect(parsed.commands).toEqual([]);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
