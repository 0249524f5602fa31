/**
 * Words that decide what a line of notes is. Kept in one place so that the rules in extract.ts read as rules.
 */

/** Verbs that start a task people commit to ("send", "book", "follow up"). */
export const ACTION_VERBS = new Set(
  `add align agree apply approve arrange ask assign attend audit book brief bring build call cancel capture chase
  check circle clarify clean close coach collect compare compile complete confirm connect coordinate create dig
  document draft email enable escalate estimate expand file fill finalise finalize find finish fix flag follow
  forward gather get give go help hire hold implement intro introduce invite join kick land launch lead line list
  lock log loop make map meet move negotiate nominate notify nudge onboard open order organise organize outline
  pick ping plan post practice practise prep prepare present price prioritise prioritize provide pull push put qualify
  raise reach read rebuild reconnect record redo refresh register reply request reschedule research respond return
  review revise rework run schedule scope secure send set settle share shadow ship sign sort source speak start
  submit summarise summarize sync take talk tell test train transfer try turn update upgrade upload validate verify
  walk write`.split(/\s+/),
);

/** Verbs and phrases that are discussion or coaching, not a commitment ("we'll revisit in Q1"). */
export const VAGUE =
  /\b(?:revisit|think about|thinking about|consider|discuss|talk about|look at them|keep (?:doing|working|using|it up)|keep an eye|no action|not yet|maybe|might|nice work|well done|great work)\b/i;

/** Marks a line as already done: a ticked box, ✅, "(done)", "— done", "erledigt", "already sent" — not "when done". */
export const DONE =
  /^\s*(?:[-*•]\s*)?(?:\[[xX✓✔]\]|☑|✅|✔|✓)|(?:^|[\s(–—:-])(?<!\b(?:when|once|until|till|after|if|whenever|is|be|get it|gets)\s)(?:done|completed|erledigt|fait|terminé)\s*[✓✔✅!.)]*\s*$|\b(?:already (?:sent|done|booked|shared|submitted)|\(sent\b[^)]*\))/i;

/** Headings, by what their section holds. */
export const SECTION_PATTERNS: Array<[RegExp, SectionKind]> = [
  [/\b(?:done|completed|wins?|closed since|since last time|erledigt)\b|✅/i, 'done'],
  [
    /\b(?:agenda|next time|for next|next 1[:-]1|next one-on-one|next meeting|topics|prochain 1:1|prochaine réunion|nächste[snr]? (?:1:1|termin|treffen))(?![\p{L}\p{N}])/iu,
    'agenda',
  ],
  [/\b(?:growth|development|career|learning|personal goals?|entwicklung)\b/i, 'growth'],
  [
    /\b(?:action|actions|next steps?|follow[- ]?ups?|to-?dos?|tasks?|takeaways?|commitments?|agreed|owners?|pending|carried|carry[- ]over|aufgaben|à faire|todo)\b/i,
    'action',
  ],
  [
    /\b(?:pipeline|status|updates?|forecast|renewals?|accounts?|coaching|notes|feedback|discussion|risks?|deals?|highlights|context|summary|process|metrics|numbers|q[1-4])\b/i,
    'info',
  ],
];

export type SectionKind = 'action' | 'growth' | 'agenda' | 'done' | 'info' | 'none';

/** A table cell that is a status, not a task. */
export const STATUS_CELL =
  /^(?:open|done|closed|complete|completed|in progress|ongoing|pending|blocked|not started|wip|to ?do|started|on hold|n\/a|offen|erledigt)$/i;
export const DONE_CELL = /^(?:done|closed|complete|completed|erledigt|✅|✓|✔)$/i;
