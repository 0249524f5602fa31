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
  walk write
  accept action advise allocate analyse analyze archive attach authorise authorize benchmark bill block brainstorm
  budget calculate circulate claim clear co-ordinate collate commit communicate configure contact cover debug decide
  define delegate deliver demo deploy design develop direct distribute dm double-check drive edit enrol enroll
  ensure evaluate extend facilitate feed finalise fund grant handle host identify improve inform install interview
  investigate invoice issue lay liaise limit lodge mail mark measure mentor merge message migrate model monitor
  nail offer outreach own pair pass patch pay phone pilot pitch place polish populate pre-read prepare print produce
  promote propose prototype publish purchase quantify quarantine quote rebook recap recommend reconcile recruit reduce
  refine refund reissue release remind remove renew repair replace report reproduce re-run rerun reserve resolve
  resubmit retire rewrite roll rotate route scale scan screen segment sell sense-check setup shortlist show
  sketch slot solve split spin staff stand streamline structure support swap tag tidy track transition translate
  triage tune unblock update vet volunteer warn wrap`.split(/\s+/),
);

/** Verbs and phrases that are discussion or coaching, not a commitment ("we'll revisit in Q1"). */
export const VAGUE =
  /\b(?:revisit|think about|thinking about|consider|discuss|talk about|look at them|keep (?:doing|working|using|it up)|keep an eye|no action|no further action|nothing to do|not yet|no decision|not decided|undecided|parked|on hold|(?:I['’]d|I would|would) like to|maybe|might|nice work|well done|great work|great job|good job|nice job|kudos|bravo|fair point|excellent|impressive|exactly the bar)\b/i;

/**
 * What a note-taker, a mail client or a legal department adds around the notes: addressed to whoever reads the
 * email, never a commitment ("Please rate the accuracy of this summary", "…notify the sender and delete it").
 */
export function isBoilerplate(text: string): boolean {
  if (ADDRESSED_TO_READER.test(text)) return true;
  // "This email … is confidential": the email named first, a verdict on it later on the same line. Read from the first
  // mention only: a pattern with `.*` between the two would read to the end of the line again from every mention.
  for (const line of text.split(/[\n\r\u2028\u2029]/)) {
    const mention = THIS_EMAIL.exec(line);
    if (mention && VERDICT.test(line.slice(mention.index + mention[0].length))) return true;
  }
  return false;
}

const ADDRESSED_TO_READER =
  /\b(?:(?:accuracy|feedback) (?:of|about|on) (?:this|the) (?:summary|notes|recap|transcript)|feedback about using|notes to make sure|learn (?:more|how)|short survey|rate (?:the|this)\b|(?:addressee|intended recipient)|received (?:this|it) in error|notify the sender|destroy (?:it|this)|unsubscribe|privileged|write faster)/i;
const THIS_EMAIL = /\b(?:this|the) (?:summary|e-?mail|message|recap|transcript|communication)\b/i;
const VERDICT = /\b(?:accura|confidential|intended|error|feedback)/i;

/**
 * Marks a line as already done: a ticked box, ✅, "(done)", "— done", "erledigt", "already sent" — not "when done".
 * "(sent …)" reads only to the next "(sent": each closing bracket is then looked for once, not from every "(sent".
 */
export const DONE =
  /^\s*(?:[-*•]\s*)?(?:\[[xX✓✔]\]|☑|✅|✔|✓)|(?:^|[\s(–—:-])(?<!\b(?:when|once|until|till|after|if|whenever|is|be|get it|gets)\s)(?:done|completed|erledigt|fait|terminé)\s*(?:[✓✔✅!.)]+\s*)?$|(?::|\s[–—-])\s*(?:done|completed|erledigt|fait|terminé)\b(?!\s+(?:by|before|until|till|when|once|if|on|in|at)\b)|\b(?:already (?:sent|done|booked|shared|submitted)|\(sent\b(?:[^()]|(?<!\w)\(|\((?!sent\b))*\))/i;

/** Headings, by what their section holds. */
export const SECTION_PATTERNS: Array<[RegExp, SectionKind]> = [
  [/\b(?:done|completed|wins?|closed since|since last time|erledigt)\b|✅/i, 'done'],
  [
    /\b(?:agenda|next time|for next|next 1[:-]1|next one-on-one|next meeting|topics|prochain 1:1|prochaine réunion|nächste[snr]? (?:1:1|termin|treffen))(?![\p{L}\p{N}])/iu,
    'agenda',
  ],
  [/\b(?:growth|development|career|learning|personal goals?|entwicklung)\b/i, 'growth'],
  [
    /\b(?:action|actions|next steps?|follow[- ]?ups?|to[- ]?dos?|tasks?|takeaways?|commitments?|agreed|owners?|pending|carried|carry[- ]over|aufgaben|à faire|todo|nächste schritte|prochaines étapes|acciones|próximos pasos|actiepunten|acties)(?![\p{L}])/iu,
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
